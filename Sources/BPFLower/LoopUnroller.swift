import BPFIR
import BPFFrontend

/// Full unrolling of small counted loops (`for (i = A; i < B; i++)` with constant
/// bounds, the induction variable never written in the body): each iteration sees
/// `i` as a constant, so `ctx->cb[i]`, `arr[i]` and friends fold into constant
/// offsets the verifier accepts, as after clang's full unroll.
struct UnrollPlan {
    var variable: Int                 // local id of the induction variable
    var declared: VarDecl?            // declared in the loop header
    var values: [Int64]               // the value of each iteration
    var final: Int64                  // the value after the loop
    var type: CType                   // the induction variable's type
}

enum LoopUnroller {
    static let maxTrips = 32
    /// trips × body size (AST nodes): about clang's full-unroll budget, and for a body
    /// that unrolling only copies, a scan or a computation on scalars that it does not
    /// simplify (see `Scan.onlyComputes`, `Scan.folds`), where the node count is closest
    /// to clang's instruction count: clang keeps `for (i = 0; i < 32; i++) if (s[i] == 0)
    /// break;` rolled and unrolls it up to 28 trips.
    static let maxWork = 300
    static let maxCopyWork = 240
    /// trips × operations (`LoopOperations`): clang's full-unroll threshold.
    static let maxOperations = 150
    /// Under `#pragma unroll` (clang's pragma threshold is far above its default one).
    static let requestedMaxTrips = 1024
    static let requestedMaxWork = 32768

    /// The header of a counted loop: `i = start` (or `T i = start`), `i OP limit` with
    /// constants, and a constant step.
    struct Counter {
        var id: Int
        var declared: VarDecl?
        var start: Int64
        var op: BinaryOp
        var limit: Int64
        var signed: Bool
        var step: Int64
        var variable: Expr                 // the variable as the condition reads it
    }

    static func counter(initial: Stmt?, condition: Expr?, increment: Expr?, layout: TypeLayout) -> Counter? {
        guard let initial = initial, let cond = condition, let inc = increment else { return nil }
        var id: Int, start: Int64, declared: VarDecl? = nil
        switch initial.kind {
        case .declaration(let ds) where ds.count == 1:
            guard case .expr(let e)? = ds[0].initializer, let v = ConstantEvaluator.integer(e), layout.isScalar(ds[0].type),
                  !ds[0].type.isPointer else { return nil }
            id = ds[0].id; start = v; declared = ds[0]
        case .expression(let e):
            guard case .binary(.assign, let l, let r) = e.kind, let lid = localID(l), let v = ConstantEvaluator.integer(r) else { return nil }
            id = lid; start = v
        default: return nil
        }
        // Condition: i OP constant.
        guard case .binary(let op, let l, let r) = cond.kind, localID(l) == id, let limit = ConstantEvaluator.integer(r),
              [.lt, .le, .gt, .ge, .ne].contains(op) else { return nil }
        var step: Int64
        switch inc.kind {
        case .unary(.postInc, let x), .unary(.preInc, let x): guard localID(x) == id else { return nil }; step = 1
        case .unary(.postDec, let x), .unary(.preDec, let x): guard localID(x) == id else { return nil }; step = -1
        case .binary(.addAssign, let x, let k): guard localID(x) == id, let s = ConstantEvaluator.integer(k) else { return nil }; step = s
        case .binary(.subAssign, let x, let k): guard localID(x) == id, let s = ConstantEvaluator.integer(k) else { return nil }; step = -s
        default: return nil
        }
        guard step != 0 else { return nil }
        return Counter(id: id, declared: declared, start: start, op: op, limit: limit, signed: layout.isSigned(l.type), step: step, variable: l)
    }

    /// `calleeSize`: the size a called function adds once inlined (clang weighs a loop
    /// after inlining), 0 for one called as a sub-program; `calleeOperations`: the same in
    /// operations (`LoopOperations`).
    static func plan(initial: Stmt?, condition: Expr?, increment: Expr?, body: Stmt, layout: TypeLayout,
                     requested: Bool = false, calleeSize: (String) -> Int = { _ in 0 },
                     calleeOperations: (String) -> Int = { _ in 0 }) -> UnrollPlan? {
        // An address-taken induction variable is fine when its only address-taking is a
        // pointer-to-const call argument (a map key): the scan below rejects any other.
        guard let c = counter(initial: initial, condition: condition, increment: increment, layout: layout) else { return nil }
        let (op, limit, signed) = (c.op, c.limit, c.signed)
        func holds(_ v: Int64) -> Bool {
            let a = signed ? v : Int64(bitPattern: UInt64(bitPattern: v) & 0xffff_ffff_ffff_ffff)
            switch op {
            case .lt: return signed ? a < limit : UInt64(bitPattern: a) < UInt64(bitPattern: limit)
            case .le: return signed ? a <= limit : UInt64(bitPattern: a) <= UInt64(bitPattern: limit)
            case .gt: return signed ? a > limit : UInt64(bitPattern: a) > UInt64(bitPattern: limit)
            case .ge: return signed ? a >= limit : UInt64(bitPattern: a) >= UInt64(bitPattern: limit)
            case .ne: return a != limit
            default: return false
            }
        }
        var values: [Int64] = []
        var v = c.start
        while holds(v) {
            values.append(v)
            if values.count > (requested ? requestedMaxTrips : maxTrips) { return nil }
            v &+= c.step
        }
        guard !values.isEmpty else { return nil }
        let (size, unsafe) = Scan.body(body, id: c.id, calleeSize: calleeSize)
        let budget = requested ? requestedMaxWork : Scan.onlyComputes(body) && !Scan.folds(body, id: c.id) ? maxCopyWork : maxWork
        // Or within clang's budget counted in operations (a body of casts and constants).
        let small = size * values.count <= budget
            || (!requested && (LoopOperations.count(body, counter: c.id, calleeSize: calleeOperations).map { $0 * values.count <= maxOperations } ?? false))
        guard !unsafe, small else { return nil }
        guard requested || !hasVariableBound(body, id: c.id) else { return nil }
        return UnrollPlan(variable: c.id, declared: c.declared, values: values, final: v, type: variableType(c.variable) ?? c.variable.type)
    }

    /// The induction variable of a loop kept rolled that counts up by one from a
    /// non-negative start to a limit its signed type holds (`for (int i = 0; i < n; i++)`
    /// with constants), never written in the body: every value it takes in the loop is
    /// non-negative, so widening it to 64 bits needs no sign extension (clang widens
    /// such a variable once, from its no-overflow increments).
    static func nonNegativeCounter(initial: Stmt?, condition: Expr?, increment: Expr?, body: Stmt, layout: TypeLayout) -> Int? {
        guard let c = counter(initial: initial, condition: condition, increment: increment, layout: layout),
              c.signed, c.step == 1, c.start >= 0 else { return nil }
        let bits = layout.width(variableType(c.variable) ?? c.variable.type).bits
        guard bits <= 32 else { return nil }
        let top = Int64(1) << Int64(bits - 1)   // the first value the type cannot hold
        switch c.op {
        case .lt: guard c.limit <= top - 1 else { return nil }
        case .le: guard c.limit < top - 1 else { return nil }
        case .ne: guard c.limit >= c.start, c.limit <= top - 1 else { return nil }
        default: return nil
        }
        return Scan.body(body, id: c.id).unsafe || !labels(in: body).defined.isEmpty ? nil : c.id
    }

    /// Whether the body leaves the loop on a second, variable bound of the counter
    /// (`if (i >= n) break;` or `return`, as one of its statements): the trip count is then
    /// min(n, limit), not a constant, and clang keeps such a loop rolled, as it keeps
    /// `i < limit && i < n`. Unrolling it would cost the body once per trip for
    /// iterations most runs never reach; `#pragma unroll` still unrolls it.
    static func hasVariableBound(_ body: Stmt, id: Int) -> Bool {
        let statements: [Stmt]
        if case .compound(let l) = body.kind { statements = l } else { statements = [body] }
        return statements.contains { s in
            guard case .ifStmt(let c, let t, nil) = s.kind, leaves(t),
                  case .binary(let op, let l, let r) = c.kind,
                  [.lt, .le, .gt, .ge, .eq, .ne].contains(op) else { return false }
            let (bound, other) = localID(l) == id ? (r, l) : (l, r)
            return localID(other) == id && ConstantEvaluator.integer(bound) == nil
        }
    }

    /// `break;`, `return ...;` or either in braces.
    private static func leaves(_ s: Stmt) -> Bool {
        switch s.kind {
        case .breakStmt, .returnStmt: return true
        case .compound(let l): return l.count == 1 && leaves(l[0])
        default: return false
        }
    }

    static func variableType(_ e: Expr) -> CType? {
        switch e.kind {
        case .declRef(.local): return e.type
        case .cast(let inner, true): return variableType(inner)
        default: return nil
        }
    }

    static func localID(_ e: Expr) -> Int? {
        switch e.kind {
        case .declRef(.local(let id)): return id
        case .cast(let inner, true): return localID(inner)
        default: return nil
        }
    }

    /// The labels a statement defines, and how many `goto`s to each it holds.
    static func labels(in s: Stmt) -> (defined: Set<String>, gotos: [String: Int]) {
        var defined = Set<String>(), gotos: [String: Int] = [:]
        ASTWalk.visit(s, stmt: { x in
            switch x.kind {
            case .label(let name, _): defined.insert(name)
            case .gotoStmt(let name): gotos[name, default: 0] += 1
            default: break
            }
        }, expr: { _ in })
        return (defined, gotos)
    }

    /// Body size, and whether unrolling is unsafe (the variable written, assembly inside).
    enum Scan {
        /// Whether a constant counter folds more of the body than the address of what it
        /// reads, as clang's unroll analysis credits: an element of a constant table picked
        /// by the counter (a table of prefixes) becomes an immediate.
        static func folds(_ body: Stmt, id: Int) -> Bool {
            func mentions(_ e: Expr) -> Bool {
                var found = false
                ASTWalk.visit(e, expr: { x in if case .declRef(.local(id)) = x.kind { found = true } })
                return found
            }
            var found = false
            ASTWalk.visit(body, expr: { e in
                guard case .arraySubscript(let table, let index) = e.kind, case .declRef(.global) = table.withoutCasts.kind,
                      e.type.isConstQualified, !e.type.isVolatileQualified, mentions(index) else { return }
                found = true
            })
            return found
        }

        /// Whether the body only reads memory and computes scalar locals (a search, a hash):
        /// no call, no store, no inner loop. Other bodies keep the larger budget: they hold
        /// what clang's cost leaves out (a dead local's initializer and memset, a builtin's
        /// many argument nodes), or what unrolling simplifies (an inner loop's bound; a
        /// local array's element stored at a constant stack offset, which the verifier
        /// tracks and later passes turn into a register, where rolled the offset varies:
        /// a generated program's verification then exceeded the kernel's limit).
        static func onlyComputes(_ body: Stmt) -> Bool {
            var computes = true
            ASTWalk.visit(body, stmt: { s in
                switch s.kind {
                case .forStmt, .whileStmt, .doWhile, .asm: computes = false
                case .declaration(let ds): if ds.contains(where: { $0.type.isAggregate }) { computes = false }
                default: break
                }
            }, expr: { e in
                switch e.kind {
                case .call, .statementExpr: computes = false
                case .binary(let op, let l, _) where op.writesLHS: if !LoopOperations.isLocalScalar(l) { computes = false }
                case .unary(let op, let x) where op.steps: if !LoopOperations.isLocalScalar(x) { computes = false }
                default: break
                }
            })
            return computes
        }

        static func body(_ s: Stmt, id: Int, calleeSize: (String) -> Int = { _ in 0 }) -> (size: Int, unsafe: Bool) {
            var size = 0, unsafe = false
            stmt(s, id: id, size: &size, unsafe: &unsafe)
            // Calls of functions inlined here weigh their bodies.
            ASTWalk.visit(s, stmt: { _ in }, expr: { e in
                if case .call(let f, _) = e.kind, case .declRef(.function(let n)) = f.withoutCasts.kind { size += calleeSize(n) }
            })
            return (size, unsafe)
        }

        static func stmt(_ s: Stmt, id: Int, size: inout Int, unsafe: inout Bool) {
            size += 1
            switch s.kind {
            case .compound(let l): l.forEach { stmt($0, id: id, size: &size, unsafe: &unsafe) }
            case .declaration(let ds):
                for d in ds { if case .expr(let e)? = d.initializer { expr(e, id: id, size: &size, unsafe: &unsafe) } else if d.initializer != nil { size += 4 } }
            case .expression(let e): expr(e, id: id, size: &size, unsafe: &unsafe)
            case .ifStmt(let c, let t, let e):
                expr(c, id: id, size: &size, unsafe: &unsafe); stmt(t, id: id, size: &size, unsafe: &unsafe)
                if let e = e { stmt(e, id: id, size: &size, unsafe: &unsafe) }
            case .whileStmt(let c, let b): expr(c, id: id, size: &size, unsafe: &unsafe); stmt(b, id: id, size: &size, unsafe: &unsafe); size += 20
            case .doWhile(let b, let c): expr(c, id: id, size: &size, unsafe: &unsafe); stmt(b, id: id, size: &size, unsafe: &unsafe); size += 20
            case .forStmt(let i, let c, let inc, let b):
                if let i = i { stmt(i, id: id, size: &size, unsafe: &unsafe) }
                if let c = c { expr(c, id: id, size: &size, unsafe: &unsafe) }
                if let inc = inc { expr(inc, id: id, size: &size, unsafe: &unsafe) }
                stmt(b, id: id, size: &size, unsafe: &unsafe); size += 20
            case .switchStmt(let c, let b): expr(c, id: id, size: &size, unsafe: &unsafe); stmt(b, id: id, size: &size, unsafe: &unsafe)
            case .caseStmt(_, _, let b), .defaultStmt(let b): stmt(b, id: id, size: &size, unsafe: &unsafe)
            // (Labels and gotos: each copy has labels of its own, `LoopUnroller.labels`;
            // a goto into the body from outside it keeps the loop rolled, at the caller.)
            case .label(_, let b): stmt(b, id: id, size: &size, unsafe: &unsafe)
            case .asm: unsafe = true
            case .returnStmt(let e): if let e = e { expr(e, id: id, size: &size, unsafe: &unsafe) }
            default: break
            }
        }

        static func expr(_ e: Expr, id: Int, size: inout Int, unsafe: inout Bool) {
            size += 1
            switch e.kind {
            case .binary(let op, let l, let r):
                if op.writesLHS, LoopUnroller.localID(l) == id { unsafe = true }
                expr(l, id: id, size: &size, unsafe: &unsafe); expr(r, id: id, size: &size, unsafe: &unsafe)
            case .unary(let op, let x):
                if op.steps || op == .addressOf, LoopUnroller.localID(x) == id { unsafe = true }
                expr(x, id: id, size: &size, unsafe: &unsafe)
            case .cast(let x, _), .member(let x, _, _): expr(x, id: id, size: &size, unsafe: &unsafe)
            case .arraySubscript(let a, let b): expr(a, id: id, size: &size, unsafe: &unsafe); expr(b, id: id, size: &size, unsafe: &unsafe)
            case .conditional(let a, let b, let c):
                expr(a, id: id, size: &size, unsafe: &unsafe); expr(b, id: id, size: &size, unsafe: &unsafe); expr(c, id: id, size: &size, unsafe: &unsafe)
            case .call(let f, let args):
                size += 8
                expr(f, id: id, size: &size, unsafe: &unsafe)
                for a in args {
                    // `&i` passed as a pointer to const (a map key) does not write i.
                    if case .cast(let inner, _) = a.kind, case .unary(.addressOf, let x) = inner.kind, LoopUnroller.localID(x) == id,
                       a.type.pointee?.isConstQualified == true { size += 1; continue }
                    expr(a, id: id, size: &size, unsafe: &unsafe)
                }
            case .statementExpr(let ss): ss.forEach { stmt($0, id: id, size: &size, unsafe: &unsafe) }
            default: break
            }
        }
    }
}

extension UnaryOp {
    /// `++` or `--`, before or after: the operand is read and written.
    var steps: Bool { [.preInc, .preDec, .postInc, .postDec].contains(self) }
}

extension BinaryOp {
    var writesLHS: Bool {
        switch self {
        case .assign, .mulAssign, .divAssign, .remAssign, .addAssign, .subAssign, .shlAssign, .shrAssign,
             .andAssign, .xorAssign, .orAssign: return true
        default: return false
        }
    }
}

extension FunctionLowering {
    /// `labels`: those the body defines; each copy has blocks of its own for them.
    func lowerUnrolled(_ plan: UnrollPlan, initial: Stmt?, body: Stmt, labels bodyLabels: Set<String>) throws {
        let key = VarKey(frame: frame, id: plan.variable)
        let outer = vars[key]
        let intType = plan.type
        // A variable declared outside the loop is observable after it (also after a
        // `break`): keep its storage up to date at the start of every iteration.
        let keepOuter = plan.declared == nil ? outer : nil
        let exit = b.newBlock()
        // An address-taken induction variable keeps a memory copy of the constant.
        if outer == nil, let d = plan.declared, addressTaken(in: currentFunctionDecl).contains(d.id) {
            try declareVariable(d, addressTaken: true, passedToCalls: addressUses(in: currentFunctionDecl).passed.contains(d.id))
        }
        let memory = vars[key]?.memoryRef ?? outer?.memoryRef
        for v in plan.values {
            let value = TypeLayout.normalize(v, layout.width(intType))
            if let st = keepOuter { try assign(LValue(storage: st, type: intType, bitfield: nil), value: .imm(value)) }
            if let m = memory, keepOuter == nil {
                b.emit(.store(base: m.base, offset: m.offset, value: .imm(value), width: layout.width(intType)))
            }
            vars[key] = .constant(v, memory)
            let next = b.newBlock()
            loops.append(LoopTargets(breakTarget: exit, continueTarget: next))
            for name in bodyLabels { labels[LabelKey(frame: frame, name: name)] = nil }
            try lowerStmt(body)
            loops.removeLast()
            b.jump(to: next)
            b.switchTo(next)
            vars[key] = outer
        }
        if let st = keepOuter { try assign(LValue(storage: st, type: intType, bitfield: nil), value: .imm(TypeLayout.normalize(plan.final, layout.width(intType)))) }
        b.jump(to: exit)
        b.switchTo(exit)
        vars[key] = outer
    }
}

/// Whether a statement may write a local (assignment, ++/--, address taken).
enum WriteScanner {
    static func writes(_ s: Stmt, to id: Int) -> Bool {
        var size = 0, unsafe = false
        LoopUnroller.Scan.stmt(stripControl(s), id: id, size: &size, unsafe: &unsafe)
        return unsafe
    }

    /// Labels and asm make a loop unsafe to unroll but do not write the variable:
    /// only their contents matter here.
    private static func stripControl(_ s: Stmt) -> Stmt {
        switch s.kind {
        case .label(_, let body): return stripControl(body)
        case .gotoStmt: return Stmt(.null, location: s.location)
        case .asm(let a):
            let outs = a.outputs.map { Stmt(.expression(Expr(.unary(.addressOf, $0.expr), type: .pointer($0.expr.type), location: s.location)), location: s.location) }
            return Stmt(.compound(outs), location: s.location)
        case .compound(let l): return Stmt(.compound(l.map(stripControl)), location: s.location)
        case .ifStmt(let c, let t, let e): return Stmt(.ifStmt(c, stripControl(t), e.map(stripControl)), location: s.location)
        case .whileStmt(let c, let b): return Stmt(.whileStmt(c, stripControl(b)), location: s.location)
        case .doWhile(let b, let c): return Stmt(.doWhile(stripControl(b), c), location: s.location)
        case .forStmt(let i, let c, let inc, let b): return Stmt(.forStmt(initial: i.map(stripControl), condition: c, increment: inc, body: stripControl(b)), location: s.location)
        case .switchStmt(let c, let b): return Stmt(.switchStmt(c, stripControl(b)), location: s.location)
        case .caseStmt(let v, let hi, let b): return Stmt(.caseStmt(v, upper: hi, stripControl(b)), location: s.location)
        case .defaultStmt(let b): return Stmt(.defaultStmt(stripControl(b)), location: s.location)
        default: return s
        }
    }
}
