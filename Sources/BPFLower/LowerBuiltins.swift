import Glibc
import BPFIR
import BPFFrontend

extension FunctionLowering {
    /// The packet-load intrinsics (LLVM's names, given to a declaration by `asm(...)`).
    static let packetLoadWidths: [String: Width] = ["llvm.bpf.load.byte": .w8, "llvm.bpf.load.half": .w16, "llvm.bpf.load.word": .w32]

    /// Argument `i` of the builtin `name` called by `e`.
    func builtinArgument(_ args: [Expr], _ i: Int, of name: String, _ e: Expr) throws -> Expr {
        guard i < args.count else { throw LoweringError(e.location, "too few arguments to '\(name)'") }
        return args[i]
    }

    func lowerBuiltin(_ name: String, _ args: [Expr], _ e: Expr, discard: Bool) throws -> RValue {
        func arg(_ i: Int) throws -> Expr { try builtinArgument(args, i, of: name, e) }
        func constArg(_ i: Int) throws -> Int {
            let a = try arg(i)
            guard case .imm(let k) = try scalarPreferringConstant(a) else {
                throw LoweringError(a.location, "'\(name)' needs a constant size")
            }
            return Int(k)
        }
        /// The size argument of a copy or fill: its bytes when it is a constant (at most
        /// what is expanded inline), else its operand, which folding may make one (not for
        /// the `_inline` builtins: clang requires a constant).
        func copySize() throws -> (bytes: Int?, operand: Operand, location: SourceLocation) {
            let a = try arg(2)
            let operand = try scalarPreferringConstant(a)
            guard case .imm(let k) = operand else {
                guard !name.hasSuffix("_inline") else { throw LoweringError(a.location, "'\(name)' needs a constant size") }
                return (nil, operand, a.location)
            }
            return (try inlineSize(Int(k), at: e.location, "'\(name)'"), operand, a.location)
        }
        switch name {
        case _ where FunctionLowering.packetLoadWidths[name] != nil:
            // `load_byte(skb, off)` declared `asm("llvm.bpf.load.byte")`: BPF_LD_ABS/IND.
            guard args.count == 2 else { throw LoweringError(e.location, "'\(name)' takes the socket buffer and an offset") }
            let skb = materialize(try scalar(args[0]), width: .w64)
            var off = try scalarPreferringConstant(args[1])
            if case .imm(let k) = off, k < 0 || k > Int64(Int32.max) { off = .reg(materialize(off, width: .w64)) }
            let r = b.newVReg()
            at(e.location)
            b.emit(.call(dst: r, callee: .packetLoad(FunctionLowering.packetLoadWidths[name]!), args: [.reg(skb), off]))
            return discard ? .none : .scalar(.reg(r))
        case "__builtin_expect", "__builtin_expect_with_probability", "__builtin_assume_aligned":
            let v = try rvalue(try arg(0))
            for a in args.dropFirst() { _ = try rvalue(a, discard: true) }
            if case .scalar(let op) = v { return .scalar(try convert(op, from: args[0].type, to: e.type, at: e.location)) }
            return v
        case "__builtin_constant_p":
            let a = try arg(0)
            if ConstantEvaluator.evaluate(a, layout: layout) != nil { return .scalar(.imm(1)) }
            if let id = LoopUnroller.localID(a), case .constant? = vars[VarKey(frame: frame, id: id)] { return .scalar(.imm(1)) }
            return .scalar(.imm(0))
        case "__builtin_unreachable", "__builtin_trap":
            // Never executed in a correct program; end the path cleanly for the verifier.
            b.terminate(.ret(decl.type.returnType.isVoid ? nil : .imm(0)))
            return .none
        case "__builtin_assume":
            return .none
        case "__builtin_prefetch":
            // A cache hint: nothing to do in BPF but what its operands compute.
            for a in args { _ = try rvalue(a, discard: true) }
            return .none
        case "__builtin_preserve_access_index":
            preserveDepth += 1
            defer { preserveDepth -= 1 }
            return try rvalue(try arg(0), discard: discard)
        case "__builtin_preserve_field_info":
            return try lowerPreserveFieldInfo(args, e)
        case "__builtin_preserve_type_info":
            return try lowerPreserveTypeInfo(args, e)
        case "__builtin_preserve_enum_value":
            return try lowerPreserveEnumValue(args, e)
        case "__builtin_btf_type_id":
            return try lowerBTFTypeID(args, e)
        case "__builtin_bswap16", "__builtin_bswap32", "__builtin_bswap64":
            let w: Width = name.hasSuffix("16") ? .w16 : (name.hasSuffix("32") ? .w32 : .w64)
            let v = try scalar(try arg(0))
            if case .imm(let k) = v { return .scalar(.imm(ConstantEvaluator.byteSwap(k, w))) }
            let r = b.newVReg()
            b.emit(.bswap(dst: r, src: materialize(v, width: w == .w64 ? .w64 : .w32), width: w))
            return .scalar(.reg(r))
        case "__builtin_memcpy", "__builtin_memmove", "__builtin_memcpy_inline":
            let sizeArg = try copySize()
            let dst = try pointerTarget(try arg(0))
            let src = try pointerTarget(try arg(1))
            guard let size = sizeArg.bytes else {
                return try pendingMemoryCall(name == "__builtin_memmove" ? .move : .copy, dst, .reg(materializeAddress(src)),
                                             alignment: min(dst.alignment, src.alignment), size: sizeArg.operand, at: sizeArg.location, discard: discard)
            }
            let tmpNeeded = name == "__builtin_memmove"
            if tmpNeeded && size > 0 {
                let slot = b.newSlot(size: size, alignment: 8, name: "memmove")
                let tmp = MemoryRef(base: .slot(slot), offset: 0, alignment: min(src.alignment, 8))
                copy(to: tmp, from: src, size: size)
                copy(to: dst, from: tmp, size: size)
            } else {
                copy(to: dst, from: src, size: size)
            }
            return discard ? .none : .scalar(.reg(materializeAddress(dst)))
        case "__builtin_memset", "__builtin_memset_inline":
            let sizeArg = try copySize()
            let dst = try pointerTarget(try arg(0))
            let c = try scalar(try arg(1))
            guard let size = sizeArg.bytes else {
                return try pendingMemoryCall(.set, dst, c, alignment: dst.alignment, size: sizeArg.operand, at: sizeArg.location, discard: discard)
            }
            fill(dst, byte: c, size: size)
            return discard ? .none : .scalar(.reg(materializeAddress(dst)))
        case "__builtin_memcmp", "__builtin_bcmp":
            let (x, y, size) = try memcmpOperands(args, e)
            return try lowerMemcmp(x, y, size: size)
        case "__builtin_popcount", "__builtin_popcountl", "__builtin_popcountll",
             "__builtin_parity", "__builtin_parityl", "__builtin_parityll":
            let a = try arg(0)
            let w: Width = layout.size(a.type) == 8 ? .w64 : .w32
            let v = try convert(try scalar(a), from: a.type, to: Self.integer(w, signed: false), at: a.location)
            let count = try popcount(v, width: w)
            return .scalar(name.contains("parity") ? try binop(.and, count, .imm(1), width: .w32) : count)
        case "__builtin_clz", "__builtin_clzl", "__builtin_clzll", "__builtin_clzs",
             "__builtin_ctz", "__builtin_ctzl", "__builtin_ctzll", "__builtin_ctzs",
             "__builtin_ffs", "__builtin_ffsl", "__builtin_ffsll":
            let (v, w) = try unsignedArgument(try arg(0))
            if name.hasPrefix("__builtin_clz") {
                let n = try leadingZeros(v, width: w)
                return .scalar(name == "__builtin_clzs" ? try binop(.sub, n, .imm(16), width: .w32) : n)
            }
            if name.hasPrefix("__builtin_ctz") { return .scalar(try trailingZeros(v, width: w)) }
            return .scalar(try firstSet(v, width: w))
        case "__builtin_rotateleft8", "__builtin_rotateleft16", "__builtin_rotateleft32", "__builtin_rotateleft64",
             "__builtin_rotateright8", "__builtin_rotateright16", "__builtin_rotateright32", "__builtin_rotateright64":
            let bits = Int(name.drop(while: { !$0.isNumber }))!
            let (v, w) = try unsignedArgument(try arg(0))
            let (n, _) = try unsignedArgument(try arg(1))
            return .scalar(try rotate(v, by: n, bits: bits, width: w, left: name.contains("left")))
        case "__builtin_bitreverse8", "__builtin_bitreverse16", "__builtin_bitreverse32", "__builtin_bitreverse64":
            let bits = Int(name.drop(while: { !$0.isNumber }))!
            let (v, w) = try unsignedArgument(try arg(0))
            return .scalar(try bitReverse(v, bits: bits, width: w))
        case "__builtin_classify_type":
            // GCC's class of the operand's type (after arrays and functions decay), as clang folds it.
            let a = try arg(0)
            switch a.type.canonical {
            case .void: return .scalar(.imm(0))
            case .int: return .scalar(.imm(1))
            case .enumeration: return .scalar(.imm(3))
            case .bool: return .scalar(.imm(4))
            case .pointer, .array, .function: return .scalar(.imm(5))
            case .float: return .scalar(.imm(8))
            default: return .scalar(.imm(layout.record(a.type)?.isUnion == true ? 13 : 12))
            }
        case "__builtin_offsetof", "__builtin_object_size", "__builtin_dynamic_object_size":
            if let v = ConstantEvaluator.integer(e) { return .scalar(.imm(v)) }
            // A size clang's constant evaluator leaves to its optimizer (`ObjectSizes`).
            if name.hasSuffix("object_size"), args.count == 2, let type = ConstantEvaluator.integer(args[1]) {
                return .scalar(.imm(objectSize(of: args[0], type: type)))
            }
            return .scalar(.imm(-1))
        case "__builtin_abs", "__builtin_labs", "__builtin_llabs":
            // x < 0 ? -x : x at the result's width (the most negative value stays itself).
            let a = try arg(0)
            let w: Width = layout.size(e.type) == 8 ? .w64 : .w32
            let v = materialize(try convert(try scalar(a), from: a.type, to: e.type, at: a.location), width: w)
            return .scalar(.reg(magnitude(v, width: w)))
        case "__builtin_strlen":
            // Of a string literal, as clang folds it (there is no library to call).
            guard let bytes = knownLiteralBytes(try arg(0)) else {
                throw LoweringError(e.location, "'__builtin_strlen' needs a string literal in BPF")
            }
            return .scalar(.imm(Int64(bytes.firstIndex(of: 0) ?? bytes.count)))
        case "__builtin_strcmp":
            // Of two string literals (bpf_experimental.h's `bpf_cmp_likely` picks its
            // compare by `__builtin_strcmp(#OP, "<=") == 0`), as clang folds it.
            guard args.count == 2, let a = knownLiteralBytes(args[0]), let b = knownLiteralBytes(args[1]) else {
                throw LoweringError(e.location, "'__builtin_strcmp' needs two string literals in BPF")
            }
            return .scalar(.imm(ConstantEvaluator.stringCompare(a, b)))
        case "__atomic_always_lock_free", "__atomic_is_lock_free":
            // Every power-of-two size up to 8 bytes is (BPF's atomics are 32 and 64 bits
            // wide; narrower accesses are plain loads and stores), as clang folds them.
            let size = try constArg(0)
            for a in args.dropFirst() { _ = try rvalue(a, discard: true) }
            return .scalar(.imm([1, 2, 4, 8].contains(size) ? 1 : 0))
        case _ where FunctionLowering.overflowOperation(name) != nil:
            return try lowerOverflow(FunctionLowering.overflowOperation(name)!, name, args, e)
        default:
            if FunctionLowering.isAtomicBuiltin(name) {
                return try lowerAtomic(name, args, e, discard: discard)
            }
            if let v = try lowerIntegerBuiltin(name, args, e) { return v }
            throw LoweringError(e.location, "builtin '\(name)' is not supported")
        }
    }

    /// A builtin's integer argument converted to its unsigned type: 64 or 32 bits wide
    /// (narrower ones are zero-extended into 32).
    private func unsignedArgument(_ a: Expr) throws -> (Operand, Width) {
        let w: Width = layout.size(a.type) == 8 ? .w64 : .w32
        return (try convert(try scalar(a), from: a.type, to: Self.integer(w, signed: false), at: a.location), w)
    }

    /// Count of leading zero bits: the bits below the highest set one are smeared into
    /// ones and the zeros left above them counted (`width` for zero; C leaves that open).
    func leadingZeros(_ v: Operand, width w: Width) throws -> Operand {
        var x = v
        var shift = 1
        while shift < w.bits {
            x = try binop(.or, x, try binop(.lshr, x, .imm(Int64(shift)), width: w), width: w)
            shift *= 2
        }
        return try popcount(try binop(.xor, x, .imm(-1), width: w), width: w)
    }

    /// Count of trailing zero bits: the ones below the lowest set bit, counted.
    /// Count of trailing zero bits, as clang expands it: the lowest set bit alone, times a
    /// de Bruijn constant, has a distinct top 5 (6) bits for each position, which index a
    /// byte table in the read-only string section (0 for zero; C leaves that open).
    func trailingZeros(_ v: Operand, width w: Width) throws -> Operand {
        if case .imm(let k) = v {
            let x = UInt64(bitPattern: k) & w.mask
            return .imm(x == 0 ? Int64(w.bits) : Int64(x.trailingZeroBitCount))
        }
        let bits = w.bits, shift = w == .w64 ? 58 : 27
        let multiplier: UInt64 = w == .w64 ? 0x03f7_9d71_b4ca_8b09 : 0x077c_b531
        var table = [UInt8](repeating: 0, count: bits)
        for i in 0..<bits { table[Int(((multiplier << UInt64(i)) & w.mask) >> UInt64(shift))] = UInt8(i) }
        let lowest = try binop(.and, v, try binop(.sub, .imm(0), v, width: w), width: w)
        let product = try binop(.mul, lowest, constant(Int64(bitPattern: multiplier), width: w), width: w)
        let index = try binop(.lshr, product, .imm(Int64(shift)), width: w)
        let base = symbolAddress(ModuleLowering.stringSection, offset: Int64(module.internString(table)))
        let address = try binop(.add, .reg(base), index, width: .w64)
        let r = b.newVReg()
        b.emit(.load(dst: r, base: .reg(materialize(address, width: .w64)), offset: 0, width: .w8, signed: false))
        return .reg(r)
    }

    /// One plus the index of the lowest set bit, 0 for zero: the bits up to and including
    /// the lowest set one counted, under a mask that is all ones unless the value is zero.
    private func firstSet(_ v: Operand, width w: Width) throws -> Operand {
        let upTo = try binop(.xor, v, try binop(.sub, v, .imm(1), width: w), width: w)
        let nonzero = try binop(.lshr, try binop(.or, v, try binop(.sub, .imm(0), v, width: w), width: w), .imm(Int64(w.bits - 1)), width: w)
        return try popcount(try binop(.and, upTo, try binop(.sub, .imm(0), nonzero, width: w), width: w), width: w)
    }

    /// `v` rotated by `n` (modulo `bits`) within its low `bits` bits.
    private func rotate(_ v: Operand, by n: Operand, bits: Int, width w: Width, left: Bool) throws -> Operand {
        let mask = Int64(bits - 1)
        let x = bits < w.bits ? try binop(.and, v, .imm(Int64((1 << bits) - 1)), width: w) : v
        let k = try binop(.and, n, .imm(mask), width: w)
        let back = try binop(.and, try binop(.sub, .imm(0), k, width: w), .imm(mask), width: w)
        let (l, r) = left ? (k, back) : (back, k)
        var out = try binop(.or, try binop(.shl, x, l, width: w), try binop(.lshr, x, r, width: w), width: w)
        if bits < w.bits { out = try binop(.and, out, .imm(Int64((1 << bits) - 1)), width: w) }
        return out
    }

    /// The low `bits` bits of `v` in reverse order: the bytes swapped (one instruction),
    /// then the nibbles, bit pairs and bits inside each byte.
    func bitReverse(_ v: Operand, bits: Int, width w: Width) throws -> Operand {
        var x = v
        if bits >= 16 {
            let r = b.newVReg()
            b.emit(.bswap(dst: r, src: materialize(v, width: w), width: Width(bytes: bits / 8)!))
            x = .reg(r)
        }
        for (span, pattern) in [(4, 0x0f0f_0f0f_0f0f_0f0f), (2, 0x3333_3333_3333_3333), (1, 0x5555_5555_5555_5555)] as [(Int64, UInt64)] {
            let m = constant(Int64(bitPattern: pattern & (bits == 64 ? ~0 : (1 << UInt64(bits)) - 1)), width: w)
            let low = try binop(.shl, try binop(.and, x, m, width: w), .imm(span), width: w)
            let high = try binop(.and, try binop(.lshr, x, .imm(span), width: w), m, width: w)
            x = try binop(.or, low, high, width: w)
        }
        return x
    }

    /// An operand holding `k` for `width`-wide operations: an immediate, or a register
    /// loaded once where a 64-bit operation needs more than the signed 32 bits an
    /// immediate holds.
    func constant(_ k: Int64, width w: Width) -> Operand {
        w == .w64 && Int64(Int32(truncatingIfNeeded: k)) != k ? .reg(materialize(.imm(k), width: .w64)) : .imm(k)
    }

    /// Population count without loops (SWAR), folded for constants.
    func popcount(_ v: Operand, width w: Width) throws -> Operand {
        if case .imm(let k) = v { return .imm(Int64((UInt64(bitPattern: k) & TypeLayout.mask(w)).nonzeroBitCount)) }
        let m1: Int64 = w == .w64 ? 0x5555_5555_5555_5555 : 0x5555_5555
        let m2: Int64 = w == .w64 ? 0x3333_3333_3333_3333 : 0x3333_3333
        let m4: Int64 = w == .w64 ? 0x0f0f_0f0f_0f0f_0f0f : 0x0f0f_0f0f
        let h01: Int64 = w == .w64 ? 0x0101_0101_0101_0101 : 0x0101_0101
        var x = v
        x = try binop(.sub, x, try binop(.and, try binop(.lshr, x, .imm(1), width: w), constant(m1, width: w), width: w), width: w)
        let k2 = constant(m2, width: w)
        x = try binop(.add, try binop(.and, x, k2, width: w), try binop(.and, try binop(.lshr, x, .imm(2), width: w), k2, width: w), width: w)
        x = try binop(.and, try binop(.add, x, try binop(.lshr, x, .imm(4), width: w), width: w), constant(m4, width: w), width: w)
        x = try binop(.lshr, try binop(.mul, x, constant(h01, width: w), width: w), .imm(Int64(w.bits - 8)), width: w)
        return w == .w64 ? try binop(.and, x, .imm(0xff), width: .w32) : x
    }

    /// One side of a memcmp: memory, or the known bytes of a string literal.
    enum CompareOperand { case memory(MemoryRef), literal([UInt8]) }

    /// The bytes of a string literal argument (through the casts and decay around it).
    static func literalBytes(_ e: Expr) -> [UInt8]? {
        if case .stringLiteral(let bytes) = e.withoutCasts.kind { return bytes }
        return nil
    }

    /// A string literal's bytes, or those of the literal an inlined parameter is bound to.
    func knownLiteralBytes(_ e: Expr) -> [UInt8]? {
        if let bytes = Self.literalBytes(e) { return bytes }
        if case .declRef(.local(let id)) = e.withoutCasts.kind { return literalArguments[VarKey(frame: frame, id: id)] }
        return nil
    }

    /// The compared bytes and the constant size of a memcmp. A string literal side compares
    /// against its bytes as immediates (no load of .rodata), as clang folds it.
    func memcmpOperands(_ args: [Expr], _ e: Expr) throws -> (CompareOperand, CompareOperand, Int) {
        guard args.count >= 3 else { throw LoweringError(e.location, "too few arguments to 'memcmp'") }
        guard case .imm(let k) = try scalarPreferringConstant(args[2]) else {
            throw LoweringError(args[2].location, "'memcmp' needs a constant size")
        }
        let size = try inlineSize(Int(k), at: e.location, "'memcmp'")
        let (x, y) = (args[0], args[1])
        if let bytes = Self.literalBytes(y), bytes.count >= size { return (.memory(try pointerTarget(x)), .literal(bytes), size) }
        if let bytes = Self.literalBytes(x), bytes.count >= size { return (.literal(bytes), .memory(try pointerTarget(y)), size) }
        return (.memory(try pointerTarget(x)), .memory(try pointerTarget(y)), size)
    }

    /// The arguments of a call of memcmp (the builtin, bcmp, or <string.h>'s), if `e` is one.
    func memcmpCall(_ e: Expr) -> [Expr]? {
        guard case .call(let callee, let args) = e.withoutCasts.kind, case .builtin(let name)? = try? callTarget(callee),
              name == "__builtin_memcmp" || name == "__builtin_bcmp" else { return nil }
        return args
    }

    /// A memcmp tested only for (in)equality: a branch on the first differing byte, no
    /// result value (`!memcmp(buf, "GET ", 4)` is four loads and four branches).
    func lowerMemcmpCondition(_ args: [Expr], _ e: Expr, differ: BlockID, equal: BlockID) throws {
        let (a, c, size) = try memcmpOperands(args, e)
        func operand(_ o: CompareOperand, _ off: Int) -> Operand {
            switch o {
            case .memory(let m):
                let v = b.newVReg()
                b.emit(.load(dst: v, base: m.base, offset: m.offset &+ off, width: .w8, signed: false))
                return .reg(v)
            case .literal(let bytes): return .imm(Int64(bytes[off]))
            }
        }
        for off in 0..<size {
            let next = b.newBlock()
            try branch(.ne, operand(a, off), operand(c, off), width: .w64, signed: false, then: differ, else: next)
            b.switchTo(next)
        }
        b.jump(to: equal)
    }

    /// memcmp of a constant size: byte by byte, result is the difference of the first mismatch.
    private func lowerMemcmp(_ a: CompareOperand, _ c: CompareOperand, size: Int) throws -> RValue {
        let result = b.newVReg()
        let done = b.newBlock()
        b.emit(.mov(dst: result, src: .imm(0), width: .w32))
        func byte(_ o: CompareOperand, _ off: Int) -> VReg {
            let v = b.newVReg()
            switch o {
            case .memory(let m): b.emit(.load(dst: v, base: m.base, offset: m.offset &+ off, width: .w8, signed: false))
            case .literal(let bytes): b.emit(.mov(dst: v, src: .imm(Int64(bytes[off])), width: .w64))
            }
            return v
        }
        for off in 0..<size {
            let x = byte(a, off), y = byte(c, off)
            let diff = b.newBlock(), next = b.newBlock()
            b.terminate(.branch(.ne, lhs: x, rhs: .reg(y), width: .w64, then: diff, else: next))
            b.switchTo(diff)
            b.emit(.binary(.sub, dst: result, lhs: x, rhs: .reg(y), width: .w32))
            b.jump(to: done)
            b.switchTo(next)
        }
        b.jump(to: done)
        b.switchTo(done)
        return .scalar(.reg(result))
    }

    /// __sync_* and __atomic_* builtins on memory.
    private func lowerAtomic(_ name: String, _ args: [Expr], _ e: Expr, discard: Bool) throws -> RValue {
        guard let ptrExpr = args.first else { throw LoweringError(e.location, "'\(name)' needs a pointer") }
        let valueType = ptrExpr.type.pointee ?? e.type
        let w = layout.width(valueType)
        var base = name
        if name.hasPrefix("__c11_atomic_") {
            base = "__atomic_" + name.dropFirst("__c11_atomic_".count)
            // C11's load, store and exchange take and give values, as the GNU `_n` forms do.
            if ["__atomic_load", "__atomic_store", "__atomic_exchange"].contains(base) { base += "_n" }
            // (ptr, expected *, desired, success order, failure order): GNU's without `weak`.
            if base == "__atomic_compare_exchange_strong" || base == "__atomic_compare_exchange_weak" { base = "__atomic_compare_exchange_n" }
        }
        // Plain and ordered loads and stores have every width; the read-modify-writes 32 and 64 bits.
        guard w == .w32 || w == .w64 || base.hasPrefix("__atomic_load") || base.hasPrefix("__atomic_store") else {
            throw LoweringError(e.location, "atomic operations need a 32- or 64-bit operand in BPF")
        }
        let m = try pointerTarget(ptrExpr)
        func arg(_ i: Int) throws -> Expr { try builtinArgument(args, i, of: name, e) }
        func value(_ i: Int) throws -> VReg {
            let a = try arg(i)
            return materialize(try convert(try scalar(a), from: a.type, to: valueType, at: a.location), width: w)
        }
        /// The value the generic forms (`__atomic_load`, `__atomic_store`, `__atomic_exchange`)
        /// take or give through their pointer argument `i`.
        func pointee(_ i: Int) throws -> VReg {
            let p = try pointerTarget(try arg(i))
            let r = b.newVReg()
            b.emit(.load(dst: r, base: p.base, offset: p.offset, width: w, signed: false))
            return r
        }
        func store(_ v: VReg, through i: Int) throws {
            let p = try pointerTarget(try arg(i))
            b.emit(.store(base: p.base, offset: p.offset, value: .reg(v), width: w))
        }
        let rmw: [String: (AtomicOp, fetchFirst: Bool)] = [
            "__sync_fetch_and_add": (.add, true), "__sync_fetch_and_or": (.or, true),
            "__sync_fetch_and_and": (.and, true), "__sync_fetch_and_xor": (.xor, true),
            "__sync_add_and_fetch": (.add, false), "__sync_or_and_fetch": (.or, false),
            "__sync_and_and_fetch": (.and, false), "__sync_xor_and_fetch": (.xor, false),
            "__atomic_fetch_add": (.add, true), "__atomic_fetch_or": (.or, true),
            "__atomic_fetch_and": (.and, true), "__atomic_fetch_xor": (.xor, true),
            "__atomic_add_fetch": (.add, false), "__atomic_or_fetch": (.or, false),
            "__atomic_and_fetch": (.and, false), "__atomic_xor_fetch": (.xor, false),
        ]
        let sub = base.hasPrefix("__sync_fetch_and_sub") || base.hasPrefix("__sync_sub_and_fetch")
            || base.hasPrefix("__atomic_fetch_sub") || base.hasPrefix("__atomic_sub_fetch")
        let stem = stripSizeSuffix(base)
        if sub || rmw[stem] != nil {
            let (op, fetchFirst) = sub ? (AtomicOp.add, stem.contains("fetch_sub") || stem.contains("fetch_and_sub"))
                                       : rmw[stem]!
            var v = try value(1)
            if sub {
                let n = b.newVReg()
                b.emit(.neg(dst: n, src: v, width: w))
                v = n
            }
            if discard {
                b.emit(.atomic(op, base: m.base, offset: m.offset, value: v, width: w, fetch: nil))
                return .none
            }
            let old = b.newVReg()
            b.emit(.atomic(op, base: m.base, offset: m.offset, value: v, width: w, fetch: old))
            if fetchFirst { return .scalar(.reg(old)) }
            let binop: BinOp = op == .add ? .add : (op == .or ? .or : (op == .and ? .and : .xor))
            let r = b.newVReg()
            b.emit(.binary(binop, dst: r, lhs: old, rhs: .reg(v), width: w))
            return .scalar(.reg(r))
        }
        switch stem {
        case "__sync_lock_test_and_set", "__atomic_exchange_n", "__atomic_exchange":
            // The generic form: (ptr, value *, result *, order).
            let generic = stem == "__atomic_exchange"
            let v = try generic ? pointee(1) : value(1)
            let old = b.newVReg()
            b.emit(.atomic(.xchg, base: m.base, offset: m.offset, value: v, width: w, fetch: old))
            guard generic else { return .scalar(.reg(old)) }
            try store(old, through: 2)
            for a in args.dropFirst(3) { _ = try rvalue(a, discard: true) }
            return .none
        case "__sync_val_compare_and_swap", "__sync_bool_compare_and_swap":
            let expected = try value(1), new = try value(2)
            let old = b.newVReg()
            b.emit(.cmpxchg(dst: old, base: m.base, offset: m.offset, expected: expected, new: new, width: w))
            if stem == "__sync_val_compare_and_swap" { return .scalar(.reg(old)) }
            return .scalar(.reg(flag(.eq, old, .reg(expected), width: w)))
        case "__atomic_compare_exchange_n", "__atomic_compare_exchange":
            // (ptr, expected *, desired, weak, success, failure) → bool; *expected = old on failure.
            guard args.count >= 3 else { throw LoweringError(e.location, "too few arguments to '\(name)'") }
            let expPtr = try pointerTarget(args[1])
            let expected = b.newVReg()
            b.emit(.load(dst: expected, base: expPtr.base, offset: expPtr.offset, width: w, signed: false))
            let new: VReg
            if stem == "__atomic_compare_exchange" {
                let np = try pointerTarget(args[2])
                new = b.newVReg()
                b.emit(.load(dst: new, base: np.base, offset: np.offset, width: w, signed: false))
            } else {
                new = try value(2)
            }
            for a in args.dropFirst(3) { _ = try rvalue(a, discard: true) }
            let old = b.newVReg()
            b.emit(.cmpxchg(dst: old, base: m.base, offset: m.offset, expected: expected, new: new, width: w))
            b.emit(.store(base: expPtr.base, offset: expPtr.offset, value: .reg(old), width: w))
            return .scalar(.reg(flag(.eq, old, .reg(expected), width: w)))
        case "__atomic_load_n", "__atomic_load":
            // The generic form: (ptr, result *, order).
            let generic = stem == "__atomic_load"
            let ordered = try accessIsOrdered(try arg(generic ? 2 : 1), store: false, name, e)
            let r = b.newVReg()
            if ordered {
                let address = materializeAddress(m)
                b.emit(.atomic(.loadAcquire, base: .reg(address), offset: 0, value: address, width: w, fetch: r))
            } else {
                b.emit(.load(dst: r, base: m.base, offset: m.offset, width: w, signed: false))
            }
            if generic { try store(r, through: 1) }
            for a in args.dropFirst(generic ? 2 : 1) { _ = try rvalue(a, discard: true) }
            return generic ? .none : .scalar(.reg(r))
        case "__atomic_store_n", "__atomic_store":
            // The generic form: (ptr, value *, order).
            let ordered = try accessIsOrdered(try arg(2), store: true, name, e)
            let v = try stem == "__atomic_store" ? pointee(1) : value(1)
            for a in args.dropFirst(2) { _ = try rvalue(a, discard: true) }
            if ordered {
                b.emit(.atomic(.storeRelease, base: .reg(materializeAddress(m)), offset: 0, value: v, width: w, fetch: nil))
            } else {
                b.emit(.store(base: m.base, offset: m.offset, value: .reg(v), width: w))
            }
            return .none
        case "__sync_synchronize", "__atomic_thread_fence", "__atomic_signal_fence":
            return .none
        default:
            throw LoweringError(e.location, "builtin '\(name)' is not supported")
        }
    }

    /// Whether an atomic load (store) with the memory order argument `order` is a
    /// load-acquire (store-release): acquire or consume (release) orders from -mcpu=v4 on;
    /// before v4, and for a relaxed order, a plain access. Sequentially consistent loads
    /// and stores (and orders invalid for the access) are refused, as clang refuses them:
    /// BPF has no instruction or fence for them.
    private func accessIsOrdered(_ orderArgument: Expr, store: Bool, _ name: String, _ e: Expr) throws -> Bool {
        guard let order = ConstantEvaluator.integer(orderArgument) else {
            throw LoweringError(orderArgument.location, "'\(name)' needs a constant memory order in BPF")
        }
        // __ATOMIC_RELAXED 0, CONSUME 1, ACQUIRE 2, RELEASE 3, ACQ_REL 4, SEQ_CST 5.
        switch (order, store) {
        case (0, _): return false
        case (1, false), (2, false), (3, true): return module.options.cpu >= 4
        default:
            throw LoweringError(e.location, order == 5 ? "sequentially consistent (seq_cst) atomic load/store is not supported in BPF"
                                                       : "memory order \(order) is not valid for an atomic \(store ? "store" : "load")")
        }
    }

    /// The builtins lowering computes itself (`__builtin_*` and the atomic ones).
    static func isBuiltin(_ name: String) -> Bool { name.hasPrefix("__builtin_") || isAtomicBuiltin(name) }

    /// The `__sync_*`, `__atomic_*` and C11 `__c11_atomic_*` builtins (`lowerAtomic`).
    static func isAtomicBuiltin(_ name: String) -> Bool {
        name.hasPrefix("__sync_") || name.hasPrefix("__atomic_") || name.hasPrefix("__c11_atomic_")
    }

    /// `__sync_fetch_and_add_4` → `__sync_fetch_and_add`.
    private func stripSizeSuffix(_ s: String) -> String {
        for suffix in ["_1", "_2", "_4", "_8", "_16"] where s.hasSuffix(suffix) {
            return String(s.dropLast(suffix.count))
        }
        return s
    }
}
