/// `__attribute__((cleanup(fn)))` on a local (libbpf's `bpf_for` and `bpf_repeat` destroy
/// their iterators so): `fn(&local)` runs wherever the local's scope ends, in reverse
/// order of declaration. The body is rewritten with the calls written out:
/// - at the end of the block (or of the `for` statement whose first clause declares it);
/// - before a `return` leaving the scope (the returned value computed first, into a
///   temporary);
/// - before a `break` or `continue` leaving it (only the scopes inside the loop or
///   switch it leaves).
/// - before a `goto` leaving the scope: the calls of the variables in scope at the `goto`
///   and not at its label (found by a first walk: `desugared`), as leaving the loop of a
///   `bpf_for` by `goto out` destroys its iterator.
/// A `goto` to a label the walk does not reach (inside a statement expression) where a
/// cleanup is pending, and a cleanup inside a statement expression, are refused.
struct CleanupDesugaring {
    /// The callee and its parameter's type, by cleanup function name.
    let functions: [String: (type: FunctionType, location: SourceLocation)]
    var nextLocal: Int
    var errors: [Diagnostic] = []

    private enum Frame {
        case scope([VarDecl])
        case loop, switchBody
    }
    private var frames: [Frame] = []
    /// The variables with a cleanup in scope at each label (ids), by label name.
    private var labelScopes: [String: Set<Int>] = [:]

    init(functions: [String: (type: FunctionType, location: SourceLocation)], nextLocal: Int) {
        self.functions = functions
        self.nextLocal = nextLocal
    }

    /// The cleanup functions of the locals `body` declares (none: the body is left alone).
    static func functionNames(_ body: Stmt) -> Set<String> {
        var names: Set<String> = []
        ASTWalk.visit(body, stmt: { s in
            if case .declaration(let ds) = s.kind { for d in ds { if let n = d.attributes.cleanup { names.insert(n) } } }
        }, expr: { _ in })
        return names
    }

    /// `body` with the cleanup calls written out (the labels' scopes found first).
    mutating func desugared(_ body: Stmt) -> Stmt {
        var probe = self
        _ = probe.rewrite(body)
        labelScopes = probe.labelScopes
        return rewrite(body)
    }

    /// The variables with a cleanup in scope, innermost scope first, each scope's last
    /// declared first: the order their calls run in.
    private var variablesInScope: [VarDecl] {
        frames.reversed().flatMap { f -> [VarDecl] in
            if case .scope(let vars) = f { return vars.reversed() }
            return []
        }
    }

    private mutating func rewrite(_ s: Stmt) -> Stmt {
        let loc = s.location
        switch s.kind {
        case .compound(let list):
            frames.append(.scope([]))
            var out: [Stmt] = []
            for st in list {
                if case .declaration(let ds) = st.kind {
                    out.append(Self.withoutCleanups(st))
                    declare(ds)
                } else {
                    out.append(rewrite(st))
                }
            }
            out += closingCalls(at: loc)
            frames.removeLast()
            return Stmt(.compound(out), location: loc)
        case .forStmt(let initial, let cond, let inc, let body):
            frames.append(.scope([]))
            if case .declaration(let ds)? = initial?.kind { declare(ds) }
            frames.append(.loop)
            let newBody = rewrite(body)
            frames.removeLast()
            let loop = Stmt(.forStmt(initial: initial.map(Self.withoutCleanups), condition: cond, increment: inc, body: newBody), location: loc)
            let after = closingCalls(at: loc)
            frames.removeLast()
            return after.isEmpty ? loop : Stmt(.compound([loop] + after), location: loc)
        case .whileStmt(let c, let body):
            return Stmt(.whileStmt(c, inLoop(body)), location: loc)
        case .doWhile(let body, let c):
            return Stmt(.doWhile(inLoop(body), c), location: loc)
        case .switchStmt(let c, let body):
            frames.append(.switchBody)
            let b = rewrite(body)
            frames.removeLast()
            return Stmt(.switchStmt(c, b), location: loc)
        case .ifStmt(let c, let t, let e):
            return Stmt(.ifStmt(c, rewrite(t), e.map { rewrite($0) }), location: loc)
        case .caseStmt(let lo, let hi, let body):
            return Stmt(.caseStmt(lo, upper: hi, rewrite(body)), location: loc)
        case .defaultStmt(let body):
            return Stmt(.defaultStmt(rewrite(body)), location: loc)
        case .label(let name, let body):
            labelScopes[name] = Set(variablesInScope.map(\.id))
            return Stmt(.label(name, rewrite(body)), location: loc)
        case .breakStmt, .continueStmt:
            // The scopes inside the loop (or, for break, the switch) being left.
            var calls: [Stmt] = []
            for f in frames.reversed() {
                if case .loop = f { break }
                if case .switchBody = f { if case .breakStmt = s.kind { break } else { continue } }
                if case .scope(let vars) = f { calls += vars.reversed().map { call($0, at: loc) } }
            }
            return calls.isEmpty ? s : Stmt(.compound(calls + [s]), location: loc)
        case .returnStmt(let e):
            let calls = variablesInScope.map { call($0, at: loc) }
            guard !calls.isEmpty else { return s }
            guard let e = e else { return Stmt(.compound(calls + [s]), location: loc) }
            let temp = VarDecl(id: nextLocal, name: "__cleanup_result", type: e.type, initializer: .expr(e),
                               storage: .auto, location: e.location)
            nextLocal += 1
            let read = Expr(.declRef(.local(temp.id)), type: e.type, location: e.location)
            return Stmt(.compound([Stmt(.declaration([temp]), location: loc)] + calls
                                  + [Stmt(.returnStmt(read), location: loc)]), location: loc)
        case .gotoStmt(let label):
            let pending = variablesInScope
            guard !pending.isEmpty else { return s }
            guard let atLabel = labelScopes[label] else {
                errors.append(Diagnostic(.error, loc, "'goto' where a variable with __attribute__((cleanup)) is in scope, to a label inside a statement expression, is not supported"))
                return s
            }
            let calls = pending.filter { !atLabel.contains($0.id) }.map { call($0, at: loc) }
            return calls.isEmpty ? s : Stmt(.compound(calls + [s]), location: loc)
        case .declaration, .expression, .asm, .null:
            return s
        }
    }

    private mutating func inLoop(_ body: Stmt) -> Stmt {
        frames.append(.loop)
        defer { frames.removeLast() }
        return rewrite(body)
    }

    private mutating func declare(_ ds: [VarDecl]) {
        guard case .scope(var vars)? = frames.last else { return }
        for d in ds where d.attributes.cleanup != nil {
            guard functions[d.attributes.cleanup!] != nil else {
                errors.append(Diagnostic(.error, d.location, "cleanup function '\(d.attributes.cleanup!)' is declared in a header and not used by the program before: name it first (as libbpf's bpf_for does with '(void)\(d.attributes.cleanup!)')"))
                continue
            }
            vars.append(d)
        }
        frames[frames.count - 1] = .scope(vars)
    }

    /// A declaration statement with its cleanups taken off (written out here; lowering
    /// refuses any left, in a statement expression).
    private static func withoutCleanups(_ s: Stmt) -> Stmt {
        guard case .declaration(let ds) = s.kind else { return s }
        return Stmt(.declaration(ds.map { var d = $0; d.attributes.cleanup = nil; return d }), location: s.location)
    }

    /// The calls closing the innermost scope.
    private func closingCalls(at loc: SourceLocation) -> [Stmt] {
        guard case .scope(let vars)? = frames.last else { return [] }
        return vars.reversed().map { call($0, at: loc) }
    }

    /// `fn(&d);`
    private func call(_ d: VarDecl, at loc: SourceLocation) -> Stmt {
        let name = d.attributes.cleanup!
        let fn = functions[name]!
        var arg = Expr(.unary(.addressOf, Expr(.declRef(.local(d.id)), type: d.type, location: loc)), type: .pointer(d.type), location: loc)
        if let p = fn.type.parameters.first { arg = Expr(.cast(arg, implicit: true), type: p, location: loc) }
        let callee = Expr(.declRef(.function(name)), type: .function(fn.type), location: loc)
        return Stmt(.expression(Expr(.call(callee, [arg]), type: fn.type.returnType, location: loc)), location: loc)
    }
}
