// The typed AST: the front end's only output. Plain Swift values; no libclang
// handle escapes this module. Later stages (lowering, BTF) consume it.
//
// Conventions the front end guarantees:
// - Every expression carries its C type (`Expr.type`) and source location.
// - Implicit conversions are explicit `.cast(..., implicit: true)` nodes
//   (recovered from libclang's unexposed ImplicitCastExpr): lowering never
//   has to re-derive C's usual arithmetic conversions for plain operators.
//   (Compound assignment is the exception: see `BinaryOp`.)
// - Integer constant expressions that clang can evaluate (sizeof, _Alignof,
//   offsetof, enum constants, __builtin_offsetof) arrive as `.intLiteral`.
// - Initializer lists are fully braced and designator-resolved (`InitList`).

/// A place in a source file: its line and column, or its byte offset in a `SourceFile`,
/// whose line and column are counted when first asked (the converter's places in
/// headers). Two locations are equal when they name the same file, line and column,
/// however each was given.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    private var place: Place

    private enum Place: Sendable {
        case lineAndColumn(Int, Int)
        case offset(Int, SourceFile)
    }

    public init(file: String, line: Int, column: Int) {
        self.file = file; place = .lineAndColumn(line, column)
    }

    public init(file: String, offset: Int, in source: SourceFile) {
        self.file = file; place = .offset(offset, source)
    }

    public static let unknown = SourceLocation(file: "<unknown>", line: 0, column: 0)

    /// The line and column (0 for an unknown place).
    public var position: (line: Int, column: Int) {
        switch place {
        case .lineAndColumn(let l, let c): return (l, c)
        case .offset(let o, let source): return source.lineAndColumn(of: o)
        }
    }
    public var line: Int { position.line }
    public var column: Int { position.column }
    public var description: String { let p = position; return "\(file):\(p.line):\(p.column)" }

    public static func == (a: SourceLocation, b: SourceLocation) -> Bool {
        guard a.file == b.file else { return false }
        if case .offset(let x, let fx) = a.place, case .offset(let y, let fy) = b.place, fx === fy { return x == y }
        return a.position == b.position
    }

    public func hash(into hasher: inout Hasher) {
        let p = position
        hasher.combine(file); hasher.combine(p.line); hasher.combine(p.column)
    }
}

/// A compile error (or warning) with its location, printed clang-style.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }
    public var severity: Severity
    public var location: SourceLocation
    public var message: String
    public init(_ severity: Severity = .error, _ location: SourceLocation, _ message: String) {
        self.severity = severity; self.location = location; self.message = message
    }
    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}

/// Several diagnostics thrown together (e.g. everything libclang reported).
public struct DiagnosticList: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public init(_ d: [Diagnostic]) { diagnostics = d }
}

// MARK: - Types

public typealias RecordID = Int   // index into TranslationUnit.records
public typealias EnumID = Int     // index into TranslationUnit.enums

public indirect enum CType: Hashable, Sendable {
    case void
    case bool                                  // _Bool, 1 byte
    case int(bytes: Int, signed: Bool, name: String)  // name: C spelling for BTF ("unsigned int", "char", "long long")
    case pointer(CType)
    case array(CType, count: Int?)             // nil: flexible / incomplete ([] or [0] is count 0)
    case record(RecordID)
    case enumeration(EnumID)
    case function(FunctionType)
    case typedef(String, CType)
    case const(CType)
    case volatile(CType)
    case restrict(CType)
    case typeTag(String, CType)                // __attribute__((btf_type_tag("x")))
    case float(bytes: Int)                     // only so headers parse; lowering rejects use
}

public struct FunctionType: Hashable, Sendable {
    public var returnType: CType
    public var parameters: [CType]
    public var isVariadic: Bool
    public var hasPrototype: Bool
    public init(returnType: CType, parameters: [CType], isVariadic: Bool, hasPrototype: Bool = true) {
        self.returnType = returnType; self.parameters = parameters
        self.isVariadic = isVariadic; self.hasPrototype = hasPrototype
    }
}

public struct FieldDecl: Hashable, Sendable {
    public var name: String?          // nil for an anonymous struct/union member
    public var type: CType
    public var bitOffset: Int         // from the start of the record
    public var bitWidth: Int?         // non-nil for bitfields
    /// `btf_decl_tag`s of the member (e.g. `__contains(...)` of bpf_experimental.h).
    public var btfDeclTags: [String] = []
    public init(name: String?, type: CType, bitOffset: Int, bitWidth: Int?) {
        self.name = name; self.type = type; self.bitOffset = bitOffset; self.bitWidth = bitWidth
    }
}

public struct RecordDecl: Hashable, Sendable {
    public var name: String?          // nil for anonymous
    public var isUnion: Bool
    public var isComplete: Bool       // false for a forward declaration only
    public var fields: [FieldDecl]
    public var size: Int              // bytes
    public var alignment: Int         // bytes
    public var preserveAccessIndex: Bool
    /// A defined record met only behind a pointer inside another record's member and
    /// never used itself: its members were not converted (`fields` is empty, and `size`
    /// and `alignment` are not known: 0 and 1; asking libclang for them would lay out
    /// every type the record holds). BTF writes it as a FWD, as clang does for such
    /// records; anything that lays a record out (an expression, a declaration, `sizeof`
    /// of its type) converts it in full first.
    public var membersOmitted = false
    /// `btf_decl_tag`s of the struct/union itself.
    public var btfDeclTags: [String] = []
    public init(name: String?, isUnion: Bool, isComplete: Bool, fields: [FieldDecl], size: Int,
                alignment: Int, preserveAccessIndex: Bool) {
        self.name = name; self.isUnion = isUnion; self.isComplete = isComplete; self.fields = fields
        self.size = size; self.alignment = alignment
        self.preserveAccessIndex = preserveAccessIndex
    }
}

public struct EnumDecl: Hashable, Sendable {
    public var name: String?
    public var values: [EnumValue]
    public var size: Int              // bytes of the underlying integer type
    public var isSigned: Bool
    public init(name: String?, values: [EnumValue], size: Int, isSigned: Bool) {
        self.name = name; self.values = values; self.size = size; self.isSigned = isSigned
    }
}

public struct EnumValue: Hashable, Sendable {
    public var name: String
    public var value: Int64
    public init(name: String, value: Int64) { self.name = name; self.value = value }
}

// MARK: - Declarations

/// Attributes, parsed in one place from the pretty-printed declaration.
public struct DeclAttributes: Hashable, Sendable {
    public var section: String? = nil
    public var used = false
    public var noinline = false
    public var alwaysInline = false
    public var weak = false
    /// `visibility("hidden")` or `"internal"` (libbpf's `__hidden`): STV_HIDDEN symbol.
    public var hidden = false
    public var isInline = false
    public var alignment: Int? = nil
    public var btfDeclTags: [String] = []
    /// `asm("name")` after a declarator: the symbol name (`llvm.bpf.load.byte` and its
    /// siblings name the packet-load intrinsics).
    public var asmLabel: String? = nil
    /// `cleanup(fn)` on a local: `fn(&local)` runs where its scope ends (written out in
    /// the body by `CleanupDesugaring`).
    public var cleanup: String? = nil
    public init() {}
}

public enum StorageClass: Hashable, Sendable { case auto, `static`, extern, register }

/// A local variable or parameter. `id` is unique within its function.
public struct VarDecl: Hashable, Sendable {
    public var id: Int
    public var name: String
    public var type: CType
    public var initializer: Initializer?
    public var storage: StorageClass
    public var attributes: DeclAttributes
    public var location: SourceLocation
    public init(id: Int, name: String, type: CType, initializer: Initializer?, storage: StorageClass,
                attributes: DeclAttributes = DeclAttributes(), location: SourceLocation) {
        self.id = id; self.name = name; self.type = type; self.initializer = initializer
        self.storage = storage; self.attributes = attributes; self.location = location
    }
}

public struct FunctionDecl: Hashable, Sendable {
    public var name: String
    public var type: FunctionType
    public var parameters: [VarDecl]          // ids 0..<n
    public var body: Stmt?                    // nil for a declaration only
    public var isStatic: Bool
    public var isExtern: Bool                 // declared extern without body (kfuncs)
    public var attributes: DeclAttributes
    public var location: SourceLocation
    public init(name: String, type: FunctionType, parameters: [VarDecl], body: Stmt?, isStatic: Bool,
                isExtern: Bool, attributes: DeclAttributes, location: SourceLocation) {
        self.name = name; self.type = type; self.parameters = parameters; self.body = body
        self.isStatic = isStatic; self.isExtern = isExtern; self.attributes = attributes
        self.location = location
    }
}

/// A file-scope variable (also `static` locals, hoisted by the front end with
/// the name `<function>.<name>` as clang does, and referenced as `.global`).
public struct GlobalVar: Hashable, Sendable {
    public var name: String
    public var type: CType
    public var initializer: Initializer?
    public var isStatic: Bool
    public var isExtern: Bool
    public var isDefinition: Bool             // false for a tentative/extern declaration
    public var attributes: DeclAttributes
    public var location: SourceLocation
    public init(name: String, type: CType, initializer: Initializer?, isStatic: Bool, isExtern: Bool,
                isDefinition: Bool, attributes: DeclAttributes, location: SourceLocation) {
        self.name = name; self.type = type; self.initializer = initializer; self.isStatic = isStatic
        self.isExtern = isExtern; self.isDefinition = isDefinition; self.attributes = attributes
        self.location = location
    }
}

/// An initializer: a single expression, or a fully braced list.
public indirect enum Initializer: Hashable, Sendable {
    case expr(Expr)
    /// For a record: (field index into RecordDecl.fields, value); for an array:
    /// (element index, value). Brace elision and designators already resolved;
    /// elements not listed are zero. For a union, exactly one entry.
    case list(type: CType, [(Int, Initializer)])

    public static func == (a: Initializer, b: Initializer) -> Bool {
        switch (a, b) {
        case let (.expr(x), .expr(y)): return x == y
        case let (.list(t1, l1), .list(t2, l2)):
            return t1 == t2 && l1.count == l2.count && zip(l1, l2).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
    public func hash(into h: inout Hasher) {
        switch self {
        case .expr(let e): h.combine(0); h.combine(e)
        case .list(let t, let l): h.combine(1); h.combine(t); for (i, v) in l { h.combine(i); h.combine(v) }
        }
    }
}

public struct TranslationUnit: Sendable {
    public var mainFile: String
    public var records: [RecordDecl] = []
    public var enums: [EnumDecl] = []
    public var functions: [FunctionDecl] = []   // one entry per name; the definition wins
    public var globals: [GlobalVar] = []        // one entry per name; the definition wins
    public var warnings: [Diagnostic] = []
    /// Every file the compilation read (main file first), for `-MD` dependency files.
    public var includedFiles: [String] = []
    /// Loops under `#pragma unroll` (no count) or `#pragma clang loop unroll(full)`, by
    /// the loop statement's location: unrolled fully when their trip count is known.
    public var fullUnrollRequests: Set<SourceLocation> = []
    public init(mainFile: String) { self.mainFile = mainFile }
}

// MARK: - Expressions

public enum DeclRef: Hashable, Sendable {
    case local(Int)            // VarDecl.id in the enclosing function (params included)
    case global(String)        // GlobalVar.name
    case function(String)      // FunctionDecl.name, including builtins (__builtin_memcpy, __sync_fetch_and_add, ...)
}

public enum UnaryOp: String, Hashable, Sendable {
    case plus, minus, bitNot, logicalNot, deref, addressOf
    case preInc, preDec, postInc, postDec
    case real, imag, `extension`   // __extension__ is transparent
}

/// Assignment operators carry the LHS and the (already converted) RHS; for the
/// compound forms lowering computes the usual arithmetic conversions itself.
public enum BinaryOp: String, Hashable, Sendable {
    case mul, div, rem, add, sub, shl, shr
    case lt, gt, le, ge, eq, ne
    case bitAnd, bitXor, bitOr, logicalAnd, logicalOr
    case assign
    case mulAssign, divAssign, remAssign, addAssign, subAssign
    case shlAssign, shrAssign, andAssign, xorAssign, orAssign
    case comma
}

public struct Expr: Hashable, Sendable {
    public var kind: ExprKind
    public var type: CType
    public var location: SourceLocation
    public init(_ kind: ExprKind, type: CType, location: SourceLocation) {
        self.kind = kind; self.type = type; self.location = location
    }
    /// The expression under any casts (implicit or written) around it.
    public var withoutCasts: Expr {
        var e = self
        while case .cast(let inner, _) = e.kind { e = inner }
        return e
    }
}

public struct AsmStatement: Hashable, Sendable {
    public var template: String
    public var outputs: [(constraint: String, expr: Expr)]
    public var inputs: [(constraint: String, expr: Expr)]
    public var clobbers: [String]
    public var isVolatile: Bool
    /// `asm goto`'s labels (operands after the inputs, `%lN`), named as the function's
    /// labels are (a local label, `__label__`, by its unique name).
    public var labels: [String]
    public init(template: String, outputs: [(constraint: String, expr: Expr)], inputs: [(constraint: String, expr: Expr)],
                clobbers: [String], isVolatile: Bool, labels: [String] = []) {
        self.template = template; self.outputs = outputs; self.inputs = inputs
        self.clobbers = clobbers; self.isVolatile = isVolatile; self.labels = labels
    }
    public static func == (a: AsmStatement, b: AsmStatement) -> Bool {
        a.template == b.template && a.clobbers == b.clobbers && a.isVolatile == b.isVolatile && a.labels == b.labels
            && a.outputs.map(\.constraint) == b.outputs.map(\.constraint) && a.outputs.map(\.expr) == b.outputs.map(\.expr)
            && a.inputs.map(\.constraint) == b.inputs.map(\.constraint) && a.inputs.map(\.expr) == b.inputs.map(\.expr)
    }
    public func hash(into h: inout Hasher) { h.combine(template); h.combine(clobbers) }
}

public indirect enum ExprKind: Hashable, Sendable {
    case intLiteral(UInt64)                  // value as bits of Expr.type
    case stringLiteral([UInt8])              // bytes including the terminating NUL
    case declRef(DeclRef)
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr)
    case conditional(Expr, Expr, Expr)       // c ? a : b   (GNU a ?: b arrives with a duplicated)
    case cast(Expr, implicit: Bool)          // to Expr.type
    case call(Expr, [Expr])                  // callee expression (usually .declRef(.function) or a global fn pointer)
    /// `base.field` / `base->field`. `fieldIndex` indexes the fields of the record
    /// type of base (or of *base when `isArrow`); anonymous members are explicit
    /// intermediate `.member` nodes, as in clang's AST.
    case member(Expr, fieldIndex: Int, isArrow: Bool)
    case arraySubscript(Expr, Expr)          // base[index] (base may be the integer side in C; front end normalizes to pointer/array first)
    case statementExpr([Stmt])               // ({ ... }): value is the last expression statement
    case initList(Initializer)               // a braced list in expression position (compound literal body)
    case compoundLiteral(Initializer)        // (T){ ... }
    case sizeofType(CType)                   // only when clang could not fold it (VLA: rejected)
    case builtinTypesCompatible(CType, CType)
    /// __builtin_preserve_field_info / _type_info / _enum_value / __builtin_btf_type_id
    /// arrive as .call to .declRef(.function("__builtin_...")); their type and
    /// enum arguments are not expressions, so the front end passes them here:
    case typeOperand(CType)                  // a type used as an argument, e.g. *(typeof(x) *)0 patterns
    case enumValueOperand(CType, String)     // *(enum E *)VALUE_NAME pattern for __builtin_preserve_enum_value
}

// MARK: - Statements

public struct Stmt: Hashable, Sendable {
    public var kind: StmtKind
    public var location: SourceLocation
    public init(_ kind: StmtKind, location: SourceLocation) { self.kind = kind; self.location = location }
}

public indirect enum StmtKind: Hashable, Sendable {
    case compound([Stmt])
    case declaration([VarDecl])              // local declarations; static locals are hoisted to globals and omitted here
    case expression(Expr)
    case ifStmt(Expr, Stmt, Stmt?)
    case whileStmt(Expr, Stmt)
    case doWhile(Stmt, Expr)
    case forStmt(initial: Stmt?, condition: Expr?, increment: Expr?, body: Stmt)
    case switchStmt(Expr, Stmt)
    case caseStmt(Int64, upper: Int64?, Stmt)   // value already converted to the switch's promoted type; GNU ranges have upper
    case defaultStmt(Stmt)
    case breakStmt
    case continueStmt
    case returnStmt(Expr?)
    case gotoStmt(String)
    case label(String, Stmt)
    case asm(AsmStatement)
    case null
}

// MARK: - Type helpers shared by every stage

extension CType {
    /// Strips typedefs, qualifiers and type tags.
    public var canonical: CType {
        switch self {
        case .typedef(_, let t), .const(let t), .volatile(let t), .restrict(let t), .typeTag(_, let t):
            return t.canonical
        default: return self
        }
    }
    public var isConstQualified: Bool {
        switch self {
        case .const: return true
        case .typedef(_, let t), .volatile(let t), .restrict(let t), .typeTag(_, let t): return t.isConstQualified
        default: return false
        }
    }
    public var isVolatileQualified: Bool {
        switch self {
        case .volatile: return true
        case .typedef(_, let t), .const(let t), .restrict(let t), .typeTag(_, let t): return t.isVolatileQualified
        default: return false
        }
    }
    public var isInteger: Bool {
        switch canonical { case .int, .bool, .enumeration: return true; default: return false }
    }
    /// A record or an array: a value that lives in memory, not in a register.
    public var isAggregate: Bool { switch canonical { case .record, .array: return true; default: return false } }
    public var isPointer: Bool { if case .pointer = canonical { return true }; return false }
    public var isVoid: Bool { if case .void = canonical { return true }; return false }
    public var pointee: CType? {
        switch canonical {
        case .pointer(let t): return t
        case .array(let t, _): return t
        default: return nil
        }
    }
}

extension TranslationUnit {
    /// Size in bytes of a complete type (functions and void count as 1, as GNU C does).
    public func size(of type: CType) -> Int {
        switch type.canonical {
        case .void, .function: return 1
        case .bool: return 1
        case .int(let b, _, _): return b
        case .float(let b): return b
        case .pointer: return 8
        case .array(let e, let n): return size(of: e) * (n ?? 0)
        case .record(let id): return records[id].size
        case .enumeration(let id): return enums[id].size
        default: return 0
        }
    }
    public func alignment(of type: CType) -> Int {
        switch type.canonical {
        case .void, .function, .bool: return 1
        case .int(let b, _, _): return b
        case .float(let b): return b
        case .pointer: return 8
        case .array(let e, _): return alignment(of: e)
        case .record(let id): return max(1, records[id].alignment)
        case .enumeration(let id): return enums[id].size
        default: return 1
        }
    }
    /// Whether an integer-like type is signed (enums use their underlying type).
    public func isSigned(_ type: CType) -> Bool {
        switch type.canonical {
        case .int(_, let s, _): return s
        case .enumeration(let id): return enums[id].isSigned
        default: return false
        }
    }
}
