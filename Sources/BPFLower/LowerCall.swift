import Glibc
import BPFIR
import BPFFrontend

/// What a call expression calls.
enum CallTarget {
    case helper(Int32)
    case inline(FunctionDecl)
    case subprogram(FunctionDecl)
    case kfunc(FunctionDecl)
    case builtin(String)
}

extension FunctionLowering {
    static let maxInlineDepth = 24

    func callTarget(_ expr: Expr) throws -> CallTarget {
        let callee = Self.calleeCore(expr)
        switch callee.kind {
        case .declRef(.local(let id)) where functionAliases[VarKey(frame: frame, id: id)] != nil:
            return try functionTarget(functionAliases[VarKey(frame: frame, id: id)]!, at: callee.location)
        case .declRef(.function(let name)):
            return try functionTarget(name, at: callee.location)
        case .declRef(.global(let name)):
            if let n = module.helperNumber(name) { return .helper(n) }
            throw LoweringError(callee.location, "indirect calls through '\(name)' are not supported by BPF")
        default:
            throw LoweringError(callee.location, "indirect calls are not supported by BPF")
        }
    }

    /// What a call of the function `name` calls.
    func functionTarget(_ name: String, at location: SourceLocation) throws -> CallTarget {
        if FunctionLowering.isBuiltin(name) {
            return .builtin(name)
        }
        guard let f = module.functionsByName[name] else {
            throw LoweringError(location, "call to unknown function '\(name)'")
        }
        if f.body == nil {
            // `asm("llvm.bpf.load.byte")` & co.: the packet-load intrinsics.
            if let label = f.attributes.asmLabel, FunctionLowering.packetLoadWidths[label] != nil {
                return .builtin(label)
            }
            // The C library's memory functions, declared by <string.h>: clang treats
            // them as its builtins (inlined for constant sizes), not as kernel symbols.
            if ["memcpy", "memmove", "memset", "memcmp"].contains(name) && f.attributes.section == nil {
                return .builtin("__builtin_" + name)
            }
            return .kfunc(f)
        }
        let inlineable = InliningPolicy.mayInline(f)
            && (module.options.optimize || f.attributes.alwaysInline) && !module.outlinedFunctions.contains(name)
            && (!inlineStack.contains(where: { $0.name == name }) || mayInlineRecursively(f)) && name != decl.name
            && inlineStack.count < FunctionLowering.maxInlineDepth
        return inlineable ? .inline(f) : .subprogram(f)
    }

    /// Whether a call of `f` inside `f`'s own inlined body is inlined too: for an
    /// `__always_inline` function, as clang's inliner does where constant arguments end the
    /// recursion (xxhash's `h16bytes_4(p + 16, len - 16, ...)` while `len >= 16`, its six
    /// parameters more than a BPF call passes). The conditions that end it fold while
    /// lowering (`staticCondition`); where they do not, the copies stop at
    /// `maxRecursiveInlines` in the function and the call is a call.
    func mayInlineRecursively(_ f: FunctionDecl) -> Bool {
        f.attributes.alwaysInline && recursiveInlines < Self.maxRecursiveInlines
    }

    static let maxRecursiveInlines = 64

    /// What a call goes through once casts, `&`, `*` and `__extension__` are off it.
    static func calleeCore(_ e: Expr) -> Expr {
        switch e.kind {
        case .cast(let inner, _), .unary(.deref, let inner), .unary(.addressOf, let inner), .unary(.extension, let inner):
            return calleeCore(inner)
        default: return e
        }
    }

    /// The function an expression designates (`f`, `&f`, `(cast)f`), if it is one.
    static func designatedFunction(_ e: Expr) -> String? {
        guard case .declRef(.function(let name)) = calleeCore(e).kind, !FunctionLowering.isBuiltin(name) else { return nil }
        return name
    }

    /// Whether `v` holds the value it starts with all through `body`: its address is never
    /// taken and `body` never writes it.
    func keepsItsFirstValue(_ v: VarDecl, in body: Stmt?, addressTaken: Bool) -> Bool {
        guard !addressTaken, let body = body else { return false }
        return !WriteScanner.writes(body, to: v.id)
    }

    /// Records `v` as an alias of the function `value` designates when `v` is a
    /// function pointer that keeps that value.
    func recordFunctionAlias(_ v: VarDecl, value: Expr, body: Stmt?, addressTaken: Bool) {
        guard case .pointer(let pointee) = v.type.canonical, case .function = pointee.canonical,
              let name = Self.designatedFunction(value), module.functionsByName[name] != nil,
              keepsItsFirstValue(v, in: body, addressTaken: addressTaken) else { return }
        functionAliases[VarKey(frame: frame, id: v.id)] = name
    }

    func lowerCall(_ callee: Expr, _ args: [Expr], _ e: Expr, discard: Bool) throws -> RValue {
        let target = try callTarget(callee)
        at(e.location)
        switch target {
        case .builtin(let name):
            return try lowerBuiltin(name, args, e, discard: discard)
        case .inline(let f):
            return try inlineCall(f, args, e)
        case .helper(let n):
            return try emitCall(.helper(n), args, e, discard: discard, variadicFrom: variadicArguments(callee))
        case .subprogram(let f):
            module.request(f.name)
            if layout.isAggregate(f.type.returnType) {
                throw LoweringError(e.location, "functions returning aggregates must be inlined")
            }
            return try emitCall(.function(SymbolName(f.name)), args, e, discard: discard)
        case .kfunc(let f):
            module.externFunctionsUsed.insert(f.name)
            return try emitCall(.kfunc(SymbolName(f.name)), args, e, discard: discard)
        }
    }

    /// Where the variadic arguments of a call through `callee` start (nil: it takes none).
    private func variadicArguments(_ callee: Expr) -> Int? {
        var t = callee.type.canonical
        if case .pointer(let p) = t { t = p.canonical }
        guard case .function(let ft) = t, ft.isVariadic else { return nil }
        return ft.parameters.count
    }

    /// `variadicFrom`: the first variadic argument. Those of 32 bits or less are read by
    /// the callee in their low bits (`bpf_trace_printk`'s `%d`): one that was truncated
    /// from a 64-bit value just before in this block passes that value, as clang passes
    /// it, without clearing the upper half (`bpf_printk("%d", a)` of an `int` parameter
    /// taken from `PT_REGS_PARM1`).
    private func emitCall(_ callee: Callee, _ args: [Expr], _ e: Expr, discard: Bool, variadicFrom: Int? = nil) throws -> RValue {
        if args.count > 5 {
            throw LoweringError(e.location, "too many arguments in a call: BPF passes at most 5")
        }
        var ops: [Operand] = []
        for (i, a) in args.enumerated() {
            let v = try rvalue(a)
            switch v {
            case .scalar(.reg(let r)) where variadicFrom.map({ i >= $0 }) == true && layout.width(a.type) != .w64:
                ops.append(.reg(b.truncationSource(of: r) ?? r))
            case .scalar(let op): ops.append(op)
            case .aggregate: throw LoweringError(a.location, "passing aggregates by value is not supported in BPF calls")
            case .none: throw LoweringError(a.location, "void value passed as an argument")
            }
        }
        at(e.location)
        if e.type.isVoid || discard {
            b.emit(.call(dst: nil, callee: callee, args: OperandList(ops)))
            return .none
        }
        let r = b.newVReg()
        b.emit(.call(dst: r, callee: callee, args: OperandList(ops)))
        // Narrow results come back in r0 with unspecified upper bits: normalise them.
        let w = layout.width(e.type)
        if w != .w64 {
            let z = b.newVReg()
            b.emit(.ext(dst: z, src: r, from: w, to: .w32, signed: false))
            return .scalar(.reg(z))
        }
        return .scalar(.reg(r))
    }

    /// Inlines a static function: arguments are evaluated in the caller, parameters
    /// become fresh locals of a new frame, `return` jumps to the continuation.
    private func inlineCall(_ f: FunctionDecl, _ args: [Expr], _ e: Expr) throws -> RValue {
        if inlineStack.contains(where: { $0.name == f.name }) { recursiveInlines += 1 }
        guard let body = f.body else { throw LoweringError(e.location, "cannot inline '\(f.name)'") }
        var values: [RValue] = []
        for a in args { values.append(try rvalue(a)) }
        let callerFrame = frame
        let newFrame = nextFrame
        nextFrame += 1
        frame = newFrame
        defer { frame = callerFrame }
        let ret = f.type.returnType
        var result: Storage? = nil
        if !ret.isVoid {
            if layout.isAggregate(ret) || isWide(ret) {
                // Its own alignment: a returned struct is read back field by field, which
                // forwarding follows through field-sized copies, not through words.
                result = .memory(newStackObject(size: layout.size(ret), type: ret, wordAligned: false, name: "\(f.name).ret"))
            } else {
                result = .register(b.newVReg())
            }
        }
        let exit = b.newBlock()
        let scope = b.openScope()
        defer { b.closeScope(scope) }
        let uses = addressUses(in: f)
        for (i, p) in f.parameters.enumerated() where i < values.count {
            // A constant argument of a parameter the body never writes stays a constant
            // (so `__builtin_constant_p(slot)` and constant offsets see through inlining).
            let taken = uses.taken.contains(p.id)
            if case .scalar(.imm(let k)) = values[i], layout.isScalar(p.type), keepsItsFirstValue(p, in: f.body, addressTaken: taken) {
                let converted = try convert(.imm(k), from: args[i].type, to: p.type, at: e.location)
                if case .imm(let c) = converted {
                    vars[VarKey(frame: frame, id: p.id)] = .constant(c, nil)
                    continue
                }
            }
            recordFunctionAlias(p, value: args[i], body: f.body, addressTaken: taken)
            if let bytes = Self.literalBytes(args[i]), keepsItsFirstValue(p, in: f.body, addressTaken: taken) {
                literalArguments[VarKey(frame: frame, id: p.id)] = bytes
            }
            try declareVariable(p, addressTaken: taken, passedToCalls: uses.passed.contains(p.id))
            guard let st = vars[VarKey(frame: frame, id: p.id)] else { continue }
            try assign(LValue(storage: st, type: p.type, bitfield: nil), rvalue: values[i], type: args[i].type, at: e.location)
        }
        inlineStack.append(InlineFrame(name: f.name, frame: newFrame, exit: exit, result: result, returnType: ret))
        let savedLoops = loops, savedSwitches = switches
        loops = []; switches = []
        try lowerStmt(body)
        loops = savedLoops; switches = savedSwitches
        inlineStack.removeLast()
        if !b.isTerminated {
            if case .register(let r)? = result { b.emit(.mov(dst: r, src: .imm(0), width: .w64)) }
            b.jump(to: exit)
        }
        b.switchTo(exit)
        switch result {
        case .register(let r)?: return .scalar(.reg(r))
        case .constant(let v, _)?: return .scalar(.imm(v))
        case .memory(let m)?: return .aggregate(m)
        case .coreField?, nil: return .none
        }
    }

    /// A function's address as a value (callbacks for bpf_loop & co.).
    func functionAddress(_ name: String, at loc: SourceLocation) throws -> VReg {
        guard let f = module.functionsByName[name] else {
            throw LoweringError(loc, "address of unknown function '\(name)'")
        }
        if f.body == nil {
            // An extern kfunc's address (bpf_ksym_exists): libbpf resolves it, 0 when a
            // __weak one is missing from the kernel.
            module.externFunctionsUsed.insert(name)
            let r = b.newVReg()
            b.emit(.symbolAddr(dst: r, symbol: SymbolRef(name: name, offset: 0)))
            return r
        }
        module.request(name)
        let r = b.newVReg()
        b.emit(.symbolAddr(dst: r, symbol: SymbolRef(name: name, offset: 0)))
        return r
    }
}
