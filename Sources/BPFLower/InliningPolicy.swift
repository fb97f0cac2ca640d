import BPFFrontend

/// Which functions' calls stay BPF-to-BPF calls at -O1 and above, as clang's inliner
/// leaves them. Static functions: big bodies (counting the bodies of what they inline in
/// turn) called from more than one place (counted once the `__always_inline` functions
/// around the calls are inlined: a helper called once from an always-inline wrapper that
/// two programs use is called twice), and huge ones called once; one called once,
/// marked `__always_inline`, or small, is inlined. A static function is only outlined when a call can carry it: at
/// most five scalar or pointer parameters, a scalar or void result, no variable
/// arguments, and no tail call inside. Global functions (not `__noinline`, not weak,
/// not programs) are inlined at their calls when small, like clang's — their body is
/// emitted as well, for other objects — and called when big.
enum InliningPolicy {
    /// Inclusive body size (statements and expressions) above which a static function
    /// called from several places is not inlined; above clang's threshold, so that what
    /// clang inlines we inline too.
    static let sizeLimit = 300
    /// Inclusive body size above which even a static function called once stays a call
    /// (clang's bonus for inlining the last call of a static function is large but
    /// bounded): inlining every one of several huge bodies into one program can put its
    /// branches out of the 16-bit jump range.
    static let calledOnceSizeLimit = 4000
    /// What a helper call adds beyond its nodes (clang's inliner charges calls extra:
    /// argument set-up, the call and its clobbers).
    static let helperCallWeight = 25

    /// What inlining does: the static functions called as sub-programs, and the size
    /// (its counted loops unrolled, what it inlines included) of each function inlined
    /// where it is called, which a loop calling it is unrolled by (`LoopUnroller`).
    struct Decisions {
        var outlined: Set<String> = []
        var inlinedSizes: [String: Int] = [:]
        /// The same functions' operations as `LoopOperations` counts them, what they
        /// inline included (their size in nodes when they hold a loop).
        var inlinedOperations: [String: Int] = [:]
    }

    static func decisions(_ unit: TranslationUnit, layout: TypeLayout) -> Decisions {
        var bodies: [String: Stmt] = [:]
        for f in unit.functions { if let b = f.body { bodies[f.name] = b } }
        var own: [String: (size: Int, callees: [String], tailCall: Bool, unrolled: Int, unrolledCallees: [String])] = [:]
        for (name, body) in bodies {
            let m = measure(body)
            // What full unrolling of counted loops adds (clang sizes a callee after its loops
            // are unrolled): the body again for every further trip.
            var unrolledExtra = 0, unrolledCallees: [String] = []
            ASTWalk.visit(body, stmt: { s in
                guard case .forStmt(let i, let c, let inc, let b) = s.kind,
                      let plan = LoopUnroller.plan(initial: i, condition: c, increment: inc, body: b, layout: layout,
                                                   requested: unit.fullUnrollRequests.contains(s.location)),
                      plan.values.count > 1 else { return }
                let inner = measure(b)
                unrolledExtra += (plan.values.count - 1) * inner.size
                for _ in 1..<plan.values.count { unrolledCallees += inner.callees }
            }, expr: { _ in })
            own[name] = (m.size, m.callees, m.tailCall, m.size + unrolledExtra, m.callees + unrolledCallees)
        }
        let byName = Dictionary(unit.functions.map { ($0.name, $0) }, uniquingKeysWith: { a, b in a.body != nil ? a : b })
        let calls = callCounts(own.mapValues(\.callees), byName)
        var out: Set<String> = []
        var inclusive: [String: (plain: Int, unrolled: Int)] = [:]
        var visiting: Set<String> = []
        // Size once inlined into a caller: its own body plus the callees inlined into it;
        // and the same once its counted loops, and those of what it inlines, are unrolled.
        func size(_ name: String) -> (plain: Int, unrolled: Int) {
            if let s = inclusive[name] { return s }
            guard let o = own[name], visiting.insert(name).inserted else { return (0, 0) }
            defer { visiting.remove(name) }
            var s = o.size
            for c in o.callees where byName[c].map(mayInline) == true {
                let cs = size(c).plain
                if !out.contains(c) { s += cs }
            }
            // The callees' own decisions are made by now.
            var u = o.unrolled
            for c in o.unrolledCallees where byName[c].map(mayInline) == true && !out.contains(c) { u += size(c).unrolled }
            inclusive[name] = (s, u)
            if let f = byName[name], f.isStatic, !f.attributes.alwaysInline, !o.tailCall, callable(f, layout),
               (calls[name] ?? 0) > 1 ? s > sizeLimit : (calls[name] ?? 0) == 1 && u > calledOnceSizeLimit {
                out.insert(name)
            }
            if let f = byName[name], !f.isStatic, !f.attributes.alwaysInline, s > sizeLimit || o.tailCall {
                out.insert(name)
            }
            return (s, u)
        }
        var decided = Decisions()
        for f in unit.functions where f.body != nil { _ = size(f.name) }
        decided.outlined = out
        for f in unit.functions where mayInline(f) && !out.contains(f.name) { decided.inlinedSizes[f.name] = size(f.name).unrolled }
        decided.inlinedOperations = operations(of: decided.inlinedSizes, bodies: bodies)
        return decided
    }

    /// The operations of each inlined function (`sizes`' keys), with those of the inlined
    /// functions it calls; its size in nodes when its body holds what `LoopOperations`
    /// does not count (a loop).
    static func operations(of sizes: [String: Int], bodies: [String: Stmt]) -> [String: Int] {
        var done: [String: Int] = [:], visiting: Set<String> = []
        func count(_ name: String) -> Int {
            if let n = done[name] { return n }
            let nodes = sizes[name] ?? 0
            guard let body = bodies[name], visiting.insert(name).inserted else { return nodes }
            defer { visiting.remove(name) }
            let ops = LoopOperations.count(body, counter: -1, calleeSize: { sizes[$0] != nil ? count($0) : 0 })
            let n = ops.map { $0 - LoopOperations.perTrip } ?? nodes
            done[name] = n
            return n
        }
        for name in sizes.keys { _ = count(name) }
        return done
    }

    /// How many calls of each function the program makes once the `__always_inline`
    /// functions are inlined (clang inlines them first, before it weighs the other calls):
    /// a call inside an always-inline function counts once per call of that function (and
    /// once more for a global one, whose body is emitted as well). `callees`: each body's
    /// calls, once per call.
    static func callCounts(_ callees: [String: [String]], _ byName: [String: FunctionDecl]) -> [String: Int] {
        var callers: [String: [String]] = [:]
        for (caller, list) in callees { for c in list { callers[c, default: []].append(caller) } }
        var counts: [String: Int] = [:]
        var visiting: Set<String> = []
        func count(_ name: String) -> Int {
            if let n = counts[name] { return n }
            guard visiting.insert(name).inserted else { return 1 }     // recursion: a real call
            defer { visiting.remove(name) }
            var n = 0
            for caller in callers[name] ?? [] {
                guard let g = byName[caller], g.attributes.alwaysInline, mayInline(g) else { n += 1; continue }
                n += count(caller) + (g.isStatic ? 0 : 1)
            }
            counts[name] = n
            return n
        }
        for name in callees.keys { _ = count(name) }
        return counts
    }

    /// A statement's size (nodes, helper calls weighted), the functions it calls (once per
    /// call) and whether it makes a tail call.
    static func measure(_ s: Stmt) -> (size: Int, callees: [String], tailCall: Bool) {
        var size = 0, callees: [String] = [], tailCall = false
        ASTWalk.visit(s, stmt: { _ in size += 1 }, expr: { e in
            size += 1
            guard case .call(let callee, _) = e.kind else { return }
            switch callee.withoutCasts.kind {
            case .declRef(.function(let n)):
                callees.append(n)
                if n == "bpf_tail_call" || n == "bpf_tail_call_static" { tailCall = true }
            case .declRef(.global("bpf_tail_call")): tailCall = true
            case .declRef(.global): size += helperCallWeight     // a helper through its pointer
            default: break
            }
        })
        return (size, callees, tailCall)
    }

    /// Whether calls to `f` may be inlined at all: it has a body here, is not
    /// `__noinline`, is not a program (a section of its own) and cannot be replaced at
    /// link time (weak).
    static func mayInline(_ f: FunctionDecl) -> Bool {
        f.body != nil && !f.attributes.noinline && f.attributes.section == nil && !f.attributes.weak
    }

    static func callable(_ f: FunctionDecl, _ layout: TypeLayout) -> Bool {
        !f.type.isVariadic && f.type.parameters.count <= 5
            && f.type.parameters.allSatisfy { layout.isScalar($0) }
            && (f.type.returnType.isVoid || layout.isScalar(f.type.returnType))
    }
}
