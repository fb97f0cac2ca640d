import BPFIR
import BPFFrontend

struct VarKey: Hashable { var frame: Int; var id: Int }
struct LabelKey: Hashable { var frame: Int; var name: String }

/// An inlined call in progress: where `return` goes and where the result lives.
struct InlineFrame {
    var name: String
    var frame: Int
    var exit: BlockID
    var result: Storage?
    var returnType: CType
}

struct LoopTargets {
    var breakTarget: BlockID
    var continueTarget: BlockID?
}

/// Case blocks of the switch being lowered, in source order.
struct SwitchContext {
    var caseBlocks: [BlockID]
    var next = 0
    var defaultBlock: BlockID?
}

/// Lowers one function definition (and everything inlined into it) to IR.
final class FunctionLowering {
    let module: ModuleLowering
    let decl: FunctionDecl
    let layout: TypeLayout
    var b: FunctionBuilder
    var vars: [VarKey: Storage] = [:]
    var frame = 0
    var nextFrame = 1
    var addressUsesCache: [String: AddressTakenScanner.Uses] = [:]
    var loops: [LoopTargets] = []
    var inlineStack: [InlineFrame] = []
    var labels: [LabelKey: BlockID] = [:]
    var switches: [SwitchContext] = []
    /// >0 while lowering the argument of __builtin_preserve_access_index.
    var preserveDepth = 0
    /// Registers of loop counters known to be non-negative in the loop being lowered
    /// (`LoopUnroller.nonNegativeCounter`): widening them is a zero extension.
    var nonNegativeRegisters: Set<VReg> = []
    /// The first arm of the `if` being lowered when that arm leaves (`if (!p) return 0;`):
    /// a test of a pointer against NULL that branches there on NULL marks it unlikely.
    var earlyExitOnNull: BlockID?
    /// Locals and inlined parameters of function-pointer type that only ever hold one
    /// function (`int (*save)(...) = save_to_buf;`, a callback passed to an inlined
    /// function): calls through them call that function, as clang's constant propagation
    /// makes them.
    var functionAliases: [VarKey: String] = [:]
    /// Inlined parameters bound to a string literal that the body never writes
    /// (`do_log(..., __FILE__)`): `__builtin_strlen` of them is the literal's length.
    var literalArguments: [VarKey: [UInt8]] = [:]
    /// Calls inlined into a copy of the same function (`mayInlineRecursively`).
    var recursiveInlines = 0

    init(module: ModuleLowering, decl: FunctionDecl) {
        self.module = module
        self.decl = decl
        self.layout = module.layout
        let section = decl.attributes.section ?? ".text"
        let linkage: Linkage = decl.isStatic ? .static : (decl.attributes.weak ? .weak : .global)
        b = FunctionBuilder(name: decl.name, section: section, linkage: linkage,
                            location: FunctionLowering.irLocation(decl.location))
        b.function.bigEndian = module.options.bigEndian
        b.sharesScopeSlots = module.options.sharesScopeSlots
    }

    static func irLocation(_ l: SourceLocation) -> IRLocation {
        IRLocation(file: l.file, line: l.line, column: l.column)
    }

    /// The file of the last position `at` was given, and its number: statements and
    /// expressions come one after another from a file, which is numbered once.
    private var lastFile: (name: String, id: Int32)?

    func at(_ l: SourceLocation) {
        guard l.line > 0 else { return }
        let id: Int32
        if let last = lastFile, last.name == l.file { id = last.id } else {
            id = InternedStrings.id(l.file)
            lastFile = (l.file, id)
        }
        b.location = IRLocation(fileID: id, line: l.line, column: l.column)
    }

    func lower() throws -> Function {
        guard let body = decl.body else { throw LoweringError(decl.location, "function '\(decl.name)' has no body") }
        if decl.parameters.count > 5 {
            throw LoweringError(decl.location, "function '\(decl.name)' has \(decl.parameters.count) parameters; BPF allows at most 5")
        }
        let uses = addressUses(in: decl)
        var params: [VReg] = []
        for p in decl.parameters {
            let r = b.newVReg()
            params.append(r)
            if layout.isAggregate(p.type) {
                throw LoweringError(p.location, "passing aggregates by value is not supported in BPF functions")
            }
            if isWide(p.type) {
                throw LoweringError(p.location, "a 128-bit integer parameter ('\(wideName(p.type))') is not supported in BPF functions: an argument is one 64-bit register")
            }
            try declareVariable(p, addressTaken: uses.taken.contains(p.id), passedToCalls: uses.passed.contains(p.id))
            try assign(LValue(storage: vars[VarKey(frame: frame, id: p.id)]!, type: p.type, bitfield: nil),
                       value: .reg(r))
        }
        b.function.parameters = params
        try lowerStmt(body)
        if !b.isTerminated {
            at(decl.location)
            if decl.type.returnType.isVoid { b.terminate(.ret(nil)) } else { b.terminate(.ret(.imm(0))) }
        }
        return LargeOffsets.split(IndeterminateValues.zeroed(b.finish(), neverWritten: true))
    }

    // MARK: variables

    /// Locals whose address is taken (they must live in memory).
    func addressTaken(in f: FunctionDecl) -> Set<Int> { addressUses(in: f).taken }

    /// Those, and the locals whose address is passed to a call (a map key): their slots
    /// are shared only with other such locals of closed scopes, so that a local whose
    /// address stays in the function (an atomic's operand) does not become one a helper
    /// may read.
    func addressUses(in f: FunctionDecl) -> AddressTakenScanner.Uses {
        if let s = addressUsesCache[f.name] { return s }
        var uses = AddressTakenScanner.Uses()
        if let body = f.body { AddressTakenScanner.scan(body, into: &uses) }
        addressUsesCache[f.name] = uses
        return uses
    }

    func declareVariable(_ v: VarDecl, addressTaken: Bool, passedToCalls: Bool = false) throws {
        let key = VarKey(frame: frame, id: v.id)
        if case .function = v.type.canonical { return }
        if let existing = vars[key], case .constant = existing {} else if vars[key] != nil { return }
        if layout.isAggregate(v.type) || isWide(v.type) || addressTaken || v.type.isVolatileQualified {
            var size = layout.size(v.type)
            if size <= 0 && layout.isAggregate(v.type) {
                // A zero-length array still has an address (`BPF_SEQ_PRINTF` without
                // arguments passes one with size 0), so does an empty struct (GNU C): one
                // byte of stack.
                let isEmptyRecord = layout.record(v.type)?.isComplete == true
                if case .array(_, count: 0?) = v.type.canonical {} else if !isEmptyRecord {
                    throw LoweringError(v.location, "variable '\(v.name)' has incomplete type")
                }
                size = 1
            }
            // Far beyond the 512-byte stack (the frame is checked once the optimizer has
            // removed what it can): refused now, before passes track the object's bytes.
            if size > Self.largestLocal {
                throw LoweringError(v.location, "variable '\(v.name)' of \(size) bytes does not fit the BPF stack (512 bytes)")
            }
            let align = max(v.attributes.alignment ?? 1, layout.alignment(v.type))
            vars[key] = .memory(newStackObject(size: size, type: v.type, alignment: align, name: v.name,
                                               isVolatile: v.type.isVolatileQualified, passedToCalls: passedToCalls))
        } else if layout.isScalar(v.type) {
            vars[key] = .register(b.newVReg())
        } else {
            throw LoweringError(v.location, "variable '\(v.name)' has a type BPF code cannot hold")
        }
    }

    func storage(ofLocal id: Int, at loc: SourceLocation) throws -> Storage {
        guard let s = vars[VarKey(frame: frame, id: id)] else {
            throw LoweringError(loc, "use of a local variable before its declaration")
        }
        return s
    }
}

/// Finds locals whose address is taken (`&x`, or arrays decaying — arrays live in memory
/// anyway), and those whose address a call is given (not a builtin's operand).
enum AddressTakenScanner {
    struct Uses {
        var taken: Set<Int> = []
        var passed: Set<Int> = []
    }

    static func scan(_ s: Stmt, into uses: inout Uses) {
        switch s.kind {
        case .compound(let l): l.forEach { scan($0, into: &uses) }
        case .declaration(let ds):
            for d in ds { if let i = d.initializer { scan(i, into: &uses) } }
        case .expression(let e): scan(e, into: &uses)
        case .ifStmt(let c, let t, let e): scan(c, into: &uses); scan(t, into: &uses); if let e = e { scan(e, into: &uses) }
        case .whileStmt(let c, let body): scan(c, into: &uses); scan(body, into: &uses)
        case .doWhile(let body, let c): scan(body, into: &uses); scan(c, into: &uses)
        case .forStmt(let i, let c, let inc, let body):
            if let i = i { scan(i, into: &uses) }
            if let c = c { scan(c, into: &uses) }
            if let inc = inc { scan(inc, into: &uses) }
            scan(body, into: &uses)
        case .switchStmt(let c, let body): scan(c, into: &uses); scan(body, into: &uses)
        case .caseStmt(_, _, let body), .defaultStmt(let body), .label(_, let body): scan(body, into: &uses)
        case .returnStmt(let e): if let e = e { scan(e, into: &uses) }
        case .asm(let a):
            // Outputs are assigned after the statement: no address needed.
            for o in a.outputs { scan(o.expr, into: &uses) }
            for i in a.inputs { scan(i.expr, into: &uses) }
        default: break
        }
    }

    static func scan(_ i: Initializer, into uses: inout Uses) {
        switch i {
        case .expr(let e): scan(e, into: &uses)
        case .list(_, let items): items.forEach { scan($0.1, into: &uses) }
        }
    }

    private static func markLValue(_ e: Expr, _ set: inout Set<Int>) {
        switch e.kind {
        case .declRef(.local(let id)): set.insert(id)
        case .member(let base, _, false): markLValue(base, &set)
        // `&p[i]` takes no address of `p` (a pointer) and arrays live in memory anyway.
        case .cast(let inner, _): markLValue(inner, &set)
        default: break
        }
    }

    static func scan(_ e: Expr, into uses: inout Uses) {
        switch e.kind {
        case .unary(.addressOf, let inner):
            markLValue(inner, &uses.taken); scan(inner, into: &uses)
        case .unary(_, let inner), .cast(let inner, _), .member(let inner, _, _):
            scan(inner, into: &uses)
        case .binary(_, let l, let r), .arraySubscript(let l, let r):
            scan(l, into: &uses); scan(r, into: &uses)
        case .conditional(let c, let a, let b2):
            scan(c, into: &uses); scan(a, into: &uses); scan(b2, into: &uses)
        case .call(let f, let args):
            scan(f, into: &uses); args.forEach { scan($0, into: &uses) }
            var callee = f
            while case .cast(let inner, _) = callee.kind { callee = inner }
            if case .declRef(.function(let name)) = callee.kind, FunctionLowering.isBuiltin(name) { break }
            for a in args {
                var e = a
                while case .cast(let inner, _) = e.kind { e = inner }
                switch e.kind {
                case .unary(.addressOf, let inner): markLValue(inner, &uses.passed)
                case .declRef(.local(let id)): uses.passed.insert(id)      // an array
                default: break
                }
            }
        case .statementExpr(let stmts): stmts.forEach { scan($0, into: &uses) }
        case .initList(let i), .compoundLiteral(let i): scan(i, into: &uses)
        default: break
        }
    }
}
