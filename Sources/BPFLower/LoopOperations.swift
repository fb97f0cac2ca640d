import BPFFrontend

/// A loop body's size counted as clang's unroller counts it, in operations: loads,
/// stores, arithmetic, comparisons, calls; not the casts, names and constants that
/// `LoopUnroller.Scan.body` counts as nodes. A body full of casts and constants (`(unsigned
/// long)(x) * (unsigned long)(0x7)`) is far smaller than its node count says, and clang
/// unrolls it: `LoopUnroller` unrolls a loop that either measure puts within budget.
enum LoopOperations {
    /// Per trip: the counter's increment, its test and the element address it picks.
    static let perTrip = 3

    /// The operations of one trip of `body`, nil when the body holds what this count does
    /// not model (an inner loop, a switch, a statement expression, asm) or takes the
    /// address of the counter `id` (a map key: clang cannot tell the callee leaves it
    /// alone, so the trip count is not known to it).
    static func count(_ body: Stmt, counter id: Int, calleeSize: (String) -> Int) -> Int? {
        var takesAddress = false
        ASTWalk.visit(body, expr: { e in
            if case .unary(.addressOf, let x) = e.kind, case .declRef(.local(id)) = x.withoutCasts.kind { takesAddress = true }
        })
        var ops = perTrip
        return !takesAddress && stmt(body, &ops, calleeSize) ? ops : nil
    }

    private static func stmt(_ s: Stmt, _ ops: inout Int, _ callee: (String) -> Int) -> Bool {
        switch s.kind {
        case .compound(let l): return l.allSatisfy { stmt($0, &ops, callee) }
        case .declaration(let ds):
            for d in ds {
                switch d.initializer {
                case .expr(let e)?: guard expr(e, &ops, callee) else { return false }
                case .some: ops += 4
                case nil: break
                }
            }
            return true
        case .expression(let e): return expr(e, &ops, callee)
        case .ifStmt(let c, let t, let e):
            // A comparison and its branch are one conditional jump.
            if !isTest(c) { ops += 1 }
            return expr(c, &ops, callee) && stmt(t, &ops, callee) && (e.map { stmt($0, &ops, callee) } ?? true)
        case .returnStmt(let e): return e.map { expr($0, &ops, callee) } ?? true
        case .breakStmt, .continueStmt, .null: return true
        default: return false
        }
    }

    private static func isTest(_ e: Expr) -> Bool {
        guard case .binary(let op, _, _) = e.withoutCasts.kind else { return false }
        return [.lt, .le, .gt, .ge, .eq, .ne, .logicalAnd, .logicalOr].contains(op)
    }

    /// A local scalar variable: reading or writing it is a register.
    static func isLocalScalar(_ e: Expr) -> Bool {
        guard case .declRef(.local) = e.withoutCasts.kind else { return false }
        return !e.withoutCasts.type.isAggregate
    }

    /// The operations computing where an lvalue is (its load or store not included).
    private static func address(_ e: Expr, _ ops: inout Int, _ callee: (String) -> Int) -> Bool {
        switch e.kind {
        case .declRef: return true
        case .cast(let x, _): return address(x, &ops, callee)
        case .arraySubscript(let a, let i): return expr(a, &ops, callee) && expr(i, &ops, callee)
        case .member(let b, _, let arrow): return arrow ? expr(b, &ops, callee) : address(b, &ops, callee)
        case .unary(.deref, let p): return expr(p, &ops, callee)
        default: return false
        }
    }

    private static func expr(_ e: Expr, _ ops: inout Int, _ callee: (String) -> Int) -> Bool {
        switch e.kind {
        case .intLiteral, .stringLiteral, .sizeofType, .builtinTypesCompatible, .typeOperand, .enumValueOperand: return true
        case .declRef(.local): return true
        case .declRef: ops += 1; return true                 // a global's address or a function
        case .cast(let x, _): return expr(x, &ops, callee)
        case .binary(let op, let l, let r):
            if op == .comma { return expr(l, &ops, callee) && expr(r, &ops, callee) }
            if op.writesLHS {
                if isLocalScalar(l) { ops += op == .assign ? 0 : 1; return expr(r, &ops, callee) }
                ops += op == .assign ? 1 : 3                 // the store, and the load and operation
                return address(l, &ops, callee) && expr(r, &ops, callee)
            }
            ops += 1
            return expr(l, &ops, callee) && expr(r, &ops, callee)
        case .unary(let op, let x):
            switch op {
            case _ where op.steps:
                if isLocalScalar(x) { ops += 1; return true }
                ops += 3
                return address(x, &ops, callee)
            case .addressOf: return address(x, &ops, callee)
            case .plus, .extension: return expr(x, &ops, callee)
            case .deref: ops += 1; return expr(x, &ops, callee)
            default: ops += 1; return expr(x, &ops, callee)
            }
        case .arraySubscript, .member:
            ops += 1                                         // the load
            return address(e, &ops, callee)
        case .conditional(let a, let b, let c):
            ops += 1
            return expr(a, &ops, callee) && expr(b, &ops, callee) && expr(c, &ops, callee)
        case .call(let f, let args):
            ops += 1
            if case .declRef(.function(let n)) = f.withoutCasts.kind { ops += callee(n) } else { guard expr(f, &ops, callee) else { return false } }
            return args.allSatisfy { expr($0, &ops, callee) }
        case .statementExpr, .initList, .compoundLiteral: return false
        }
    }
}
