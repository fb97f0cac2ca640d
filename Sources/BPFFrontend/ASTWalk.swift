/// Visits every statement and expression of a function body or initializer, outer
/// nodes first: the one traversal the analyses over the AST share (reachability,
/// inlining cost, call counts).
public enum ASTWalk {
    public static func visit(_ s: Stmt, stmt: (Stmt) -> Void = { _ in }, expr: (Expr) -> Void) {
        stmt(s)
        func e(_ x: Expr) { visit(x, stmt: stmt, expr: expr) }
        func st(_ x: Stmt) { visit(x, stmt: stmt, expr: expr) }
        switch s.kind {
        case .compound(let l): l.forEach(st)
        case .declaration(let ds): for d in ds { if let i = d.initializer { visit(i, stmt: stmt, expr: expr) } }
        case .expression(let x): e(x)
        case .ifStmt(let c, let t, let el): e(c); st(t); if let el = el { st(el) }
        case .whileStmt(let c, let b): e(c); st(b)
        case .doWhile(let b, let c): st(b); e(c)
        case .forStmt(let i, let c, let inc, let b):
            if let i = i { st(i) }
            if let c = c { e(c) }
            if let inc = inc { e(inc) }
            st(b)
        case .switchStmt(let c, let b): e(c); st(b)
        case .caseStmt(_, _, let b), .defaultStmt(let b), .label(_, let b): st(b)
        case .returnStmt(let x): if let x = x { e(x) }
        case .asm(let a):
            for o in a.outputs { e(o.expr) }
            for i in a.inputs { e(i.expr) }
        default: break
        }
    }

    public static func visit(_ i: Initializer, stmt: (Stmt) -> Void = { _ in }, expr: (Expr) -> Void) {
        switch i {
        case .expr(let x): visit(x, stmt: stmt, expr: expr)
        case .list(_, let items): for item in items { visit(item.1, stmt: stmt, expr: expr) }
        }
    }

    public static func visit(_ x: Expr, stmt: (Stmt) -> Void = { _ in }, expr: (Expr) -> Void) {
        expr(x)
        func e(_ y: Expr) { visit(y, stmt: stmt, expr: expr) }
        switch x.kind {
        case .unary(_, let a), .cast(let a, _), .member(let a, _, _): e(a)
        case .binary(_, let a, let b), .arraySubscript(let a, let b): e(a); e(b)
        case .conditional(let a, let b, let c): e(a); e(b); e(c)
        case .call(let f, let args): e(f); args.forEach(e)
        case .statementExpr(let ss): for s in ss { visit(s, stmt: stmt, expr: expr) }
        case .initList(let i), .compoundLiteral(let i): visit(i, stmt: stmt, expr: expr)
        default: break
        }
    }
}
