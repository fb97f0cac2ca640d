/// A compact, deterministic text form of the typed AST, for tests and `-ast-dump`-style debugging.
/// Types print as C-like spellings (`unsigned long`, `struct s *`, `int[4]`), expressions as
/// s-expressions with their type after a colon: `(cast-implicit:unsigned long (local0:unsigned char))`.
public enum ASTDump {
    public static func type(_ t: CType, _ unit: TranslationUnit? = nil) -> String {
        switch t {
        case .void: return "void"
        case .bool: return "_Bool"
        case .int(_, _, let name): return name
        case .float(let b): return b == 4 ? "float" : "double"
        case .pointer(let p): return type(p, unit) + " *"
        case .array(let e, let n): return type(e, unit) + "[\(n.map(String.init) ?? "")]"
        case .record(let id):
            if let u = unit, id < u.records.count {
                let r = u.records[id]
                return (r.isUnion ? "union " : "struct ") + (r.name ?? "<anon#\(id)>")
            }
            return "record#\(id)"
        case .enumeration(let id):
            if let u = unit, id < u.enums.count { return "enum " + (u.enums[id].name ?? "<anon#\(id)>") }
            return "enum#\(id)"
        case .function(let f):
            let ps = f.parameters.map { type($0, unit) } + (f.isVariadic ? ["..."] : [])
            return type(f.returnType, unit) + "(" + ps.joined(separator: ", ") + ")"
        case .typedef(let n, _): return n
        // Qualifiers and tags print after what they qualify: `int const * const`.
        case .const(let b): return type(b, unit) + " const"
        case .volatile(let b): return type(b, unit) + " volatile"
        case .restrict(let b): return type(b, unit) + " restrict"
        case .typeTag(let tag, let b): return type(b, unit) + " tag(\(tag))"
        }
    }

    public static func expr(_ e: Expr, _ unit: TranslationUnit? = nil) -> String {
        let t = ":" + type(e.type, unit)
        func x(_ e: Expr) -> String { expr(e, unit) }
        switch e.kind {
        case .intLiteral(let v): return "\(Int64(bitPattern: v))" + t
        case .stringLiteral(let b): return "\"" + b.map { $0 >= 32 && $0 < 127 && $0 != 34 && $0 != 92 ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined() + "\"" + t
        case .declRef(.local(let i)): return "local\(i)" + t
        case .declRef(.global(let n)): return "@" + n + t
        case .declRef(.function(let n)): return "fn:" + n
        case .unary(let op, let a): return "(" + op.rawValue + " \(x(a)))" + t
        case .binary(let op, let a, let b): return "(" + op.rawValue + " \(x(a)) \(x(b)))" + t
        case .conditional(let c, let a, let b): return "(? \(x(c)) \(x(a)) \(x(b)))" + t
        case .cast(let a, let implicit): return "(\(implicit ? "icast" : "cast") \(x(a)))" + t
        case .call(let f, let args): return "(call \(x(f))" + args.map { " " + x($0) }.joined() + ")" + t
        case .member(let b, let i, let arrow): return "(\(arrow ? "->" : ".")\(i) \(x(b)))" + t
        case .arraySubscript(let a, let b): return "([] \(x(a)) \(x(b)))" + t
        case .statementExpr(let ss): return "({ " + ss.map { stmt($0, unit) }.joined(separator: " ") + " })" + t
        case .initList(let i): return "(initlist " + initializer(i, unit) + ")" + t
        case .compoundLiteral(let i): return "(compound " + initializer(i, unit) + ")" + t
        case .sizeofType(let s): return "(sizeof \(type(s, unit)))" + t
        case .builtinTypesCompatible(let a, let b): return "(compatible \(type(a, unit)) \(type(b, unit)))" + t
        case .typeOperand(let s): return "(type \(type(s, unit)))" + t
        case .enumValueOperand(let s, let n): return "(enumval \(type(s, unit)) \(n))" + t
        }
    }

    public static func initializer(_ i: Initializer, _ unit: TranslationUnit? = nil) -> String {
        switch i {
        case .expr(let e): return expr(e, unit)
        case .list(_, let items): return "{" + items.map { "\($0.0)=" + initializer($0.1, unit) }.joined(separator: ", ") + "}"
        }
    }

    public static func stmt(_ s: Stmt, _ unit: TranslationUnit? = nil) -> String {
        func x(_ e: Expr) -> String { expr(e, unit) }
        func st(_ s: Stmt) -> String { stmt(s, unit) }
        switch s.kind {
        case .compound(let l): return "{ " + l.map(st).joined(separator: " ") + " }"
        case .declaration(let ds):
            return "decl(" + ds.map { d in
                "local\(d.id) \(d.name):\(type(d.type, unit))" + (d.initializer.map { " = " + initializer($0, unit) } ?? "")
            }.joined(separator: ", ") + ");"
        case .expression(let e): return x(e) + ";"
        case .ifStmt(let c, let t, let e): return "if \(x(c)) \(st(t))" + (e.map { " else " + st($0) } ?? "")
        case .whileStmt(let c, let b): return "while \(x(c)) \(st(b))"
        case .doWhile(let b, let c): return "do \(st(b)) while \(x(c));"
        case .forStmt(let i, let c, let inc, let b):
            return "for (\(i.map(st) ?? ""); \(c.map(x) ?? ""); \(inc.map(x) ?? "")) \(st(b))"
        case .switchStmt(let c, let b): return "switch \(x(c)) \(st(b))"
        case .caseStmt(let v, let hi, let b): return "case \(v)\(hi.map { " ... \($0)" } ?? ""): \(st(b))"
        case .defaultStmt(let b): return "default: \(st(b))"
        case .breakStmt: return "break;"
        case .continueStmt: return "continue;"
        case .returnStmt(let e): return "return" + (e.map { " " + x($0) } ?? "") + ";"
        case .gotoStmt(let l): return "goto \(l);"
        case .label(let l, let b): return "\(l): \(st(b))"
        case .asm(let a):
            return "asm\(a.isVolatile ? " volatile" : "")(\"\(a.template)\" : "
                + a.outputs.map { "\"\($0.constraint)\" \(x($0.expr))" }.joined(separator: ", ") + " : "
                + a.inputs.map { "\"\($0.constraint)\" \(x($0.expr))" }.joined(separator: ", ") + " : "
                + a.clobbers.joined(separator: ", ") + (a.labels.isEmpty ? "" : " : " + a.labels.joined(separator: ", ")) + ");"
        case .null: return ";"
        }
    }
}
