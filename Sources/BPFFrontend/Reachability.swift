/// Which functions a translation unit really uses: errors inside unused static
/// functions of headers (helpers nobody calls) must not fail the compilation.
enum Reachability {
    static func referencedFunctions(_ s: Stmt, into out: inout Set<String>) {
        ASTWalk.visit(s) { e in if case .declRef(.function(let n)) = e.kind { out.insert(n) } }
    }

    static func referencedFunctions(_ i: Initializer, into out: inout Set<String>) {
        ASTWalk.visit(i) { e in if case .declRef(.function(let n)) = e.kind { out.insert(n) } }
    }
}
