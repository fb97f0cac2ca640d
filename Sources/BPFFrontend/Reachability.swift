/// Which functions a translation unit really uses: errors inside unused static
/// functions of headers (helpers nobody calls) must not fail the compilation.
enum Reachability {
    static func referencedFunctions(_ s: Stmt, into out: inout Set<String>) {
        switch s.kind {
        case .compound(let l): l.forEach { referencedFunctions($0, into: &out) }
        case .declaration(let ds): for d in ds { if let i = d.initializer { referencedFunctions(i, into: &out) } }
        case .expression(let e): referencedFunctions(e, into: &out)
        case .ifStmt(let c, let t, let e):
            referencedFunctions(c, into: &out); referencedFunctions(t, into: &out)
            if let e = e { referencedFunctions(e, into: &out) }
        case .whileStmt(let c, let b): referencedFunctions(c, into: &out); referencedFunctions(b, into: &out)
        case .doWhile(let b, let c): referencedFunctions(b, into: &out); referencedFunctions(c, into: &out)
        case .forStmt(let i, let c, let inc, let b):
            if let i = i { referencedFunctions(i, into: &out) }
            if let c = c { referencedFunctions(c, into: &out) }
            if let inc = inc { referencedFunctions(inc, into: &out) }
            referencedFunctions(b, into: &out)
        case .switchStmt(let c, let b): referencedFunctions(c, into: &out); referencedFunctions(b, into: &out)
        case .caseStmt(_, _, let b), .defaultStmt(let b), .label(_, let b): referencedFunctions(b, into: &out)
        case .returnStmt(let e): if let e = e { referencedFunctions(e, into: &out) }
        case .asm(let a):
            for o in a.outputs { referencedFunctions(o.expr, into: &out) }
            for i in a.inputs { referencedFunctions(i.expr, into: &out) }
        default: break
        }
    }

    static func referencedFunctions(_ i: Initializer, into out: inout Set<String>) {
        switch i {
        case .expr(let e): referencedFunctions(e, into: &out)
        case .list(_, let items): items.forEach { referencedFunctions($0.1, into: &out) }
        }
    }

    static func referencedFunctions(_ e: Expr, into out: inout Set<String>) {
        switch e.kind {
        case .declRef(.function(let n)): out.insert(n)
        case .unary(_, let x), .cast(let x, _), .member(let x, _, _): referencedFunctions(x, into: &out)
        case .binary(_, let a, let b), .arraySubscript(let a, let b):
            referencedFunctions(a, into: &out); referencedFunctions(b, into: &out)
        case .conditional(let a, let b, let c):
            referencedFunctions(a, into: &out); referencedFunctions(b, into: &out); referencedFunctions(c, into: &out)
        case .call(let f, let args):
            referencedFunctions(f, into: &out); args.forEach { referencedFunctions($0, into: &out) }
        case .statementExpr(let ss): ss.forEach { referencedFunctions($0, into: &out) }
        case .initList(let i), .compoundLiteral(let i): referencedFunctions(i, into: &out)
        default: break
        }
    }
}
