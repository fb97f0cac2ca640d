import BPFIR
import BPFFrontend

extension FunctionLowering {
    // MARK: registers

    func materialize(_ op: Operand, width: Width) -> VReg {
        switch op {
        case .reg(let r): return r
        case .imm(let v):
            let r = b.newVReg()
            if width == .w64 && (v < Int64(Int32.min) || v > Int64(Int32.max)) {
                b.emit(.loadImm64(dst: r, value: v))
            } else {
                b.emit(.mov(dst: r, src: .imm(v), width: width == .w64 ? .w64 : .w32))
            }
            return r
        }
    }

    func materializeAddress(_ m: MemoryRef) -> VReg {
        switch m.base {
        case .slot(let s):
            let r = b.newVReg()
            b.emit(.slotAddr(dst: r, slot: s, offset: m.offset))
            return r
        case .reg(let p):
            if m.offset == 0 { return p }
            let r = b.newVReg()
            b.emit(.binary(.add, dst: r, lhs: p, rhs: .imm(Int64(m.offset)), width: .w64))
            return r
        }
    }

    /// Address of a global symbol (map, variable, pooled string).
    func symbolAddress(_ name: String, offset: Int64 = 0) -> VReg {
        let r = b.newVReg()
        b.emit(.symbolAddr(dst: r, symbol: SymbolRef(name: name, offset: offset)))
        return r
    }

    // MARK: lvalues

    func lvalue(_ e: Expr) throws -> LValue {
        switch e.kind {
        case .declRef(.local(let id)):
            return LValue(storage: try storage(ofLocal: id, at: e.location), type: e.type, bitfield: nil)
        case .declRef(.global(let name)):
            guard let g = module.globalsByName[name] else { throw LoweringError(e.location, "unknown global '\(name)'") }
            module.referencedGlobals.insert(name)
            if g.isExtern, g.attributes.section == ".kconfig" || g.attributes.section == ".ksyms" || g.attributes.section == nil {
                // kconfig/ksyms externs are addressed through their symbol, as other globals.
            }
            let addr = symbolAddress(name)
            return LValue(storage: .memory(MemoryRef(base: .reg(addr), offset: 0, alignment: min(8, layout.alignment(g.type)))),
                          type: e.type, bitfield: nil)
        case .unary(.deref, let p):
            let m = try pointerTarget(p)
            return LValue(storage: .memory(m), type: e.type, bitfield: nil)
        case .unary(.extension, let inner):
            return try lvalue(inner)
        case .member(let base, let idx, let isArrow):
            if let access = try coreAccess(e) {
                return LValue(storage: coreStorage(access, type: e.type), type: e.type, bitfield: nil)
            }
            let baseRef: MemoryRef
            let recType: CType
            if isArrow {
                baseRef = try pointerTarget(base)
                recType = base.type.pointee ?? base.type
            } else {
                let blv = try lvalue(base)
                guard case .memory(let m) = blv.storage else {
                    throw LoweringError(e.location, "member access on a value that is not in memory")
                }
                baseRef = m
                recType = base.type
            }
            guard let rec = layout.record(recType), idx >= 0, idx < rec.fields.count else {
                throw LoweringError(e.location, "member access into an incomplete or unknown record")
            }
            let f = rec.fields[idx]
            if let w = f.bitWidth {
                let unitBytes = max(1, layout.size(f.type))
                let unitBits = unitBytes * 8
                var unitStart = (f.bitOffset / unitBits) * unitBytes
                if (f.bitOffset - unitStart * 8) + w > unitBits { unitStart = f.bitOffset / 8 } // straddling: byte-based unit
                let bitPos = f.bitOffset - unitStart * 8
                return LValue(storage: .memory(baseRef.adding(unitStart)), type: f.type,
                              bitfield: (bitOffset: bitPos, width: w, unitBytes: bitPos + w <= unitBits ? unitBytes : 8))
            }
            return LValue(storage: .memory(baseRef.adding(f.bitOffset / 8)), type: e.type, bitfield: nil)
        case .arraySubscript(let base, let index):
            if let access = try coreAccess(e) {
                return LValue(storage: coreStorage(access, type: e.type), type: e.type, bitfield: nil)
            }
            let elemSize = max(1, layout.size(e.type))
            let baseRef: MemoryRef
            if case .array = base.type.canonical {
                let blv = try lvalue(base)
                guard case .memory(let m) = blv.storage else { throw LoweringError(e.location, "array not in memory") }
                baseRef = m
            } else {
                baseRef = try pointerTarget(base)
            }
            return LValue(storage: .memory(try indexed(baseRef, index: index, elementSize: elemSize)), type: e.type, bitfield: nil)
        case .compoundLiteral(let i), .initList(let i):
            let lv = LValue(storage: .memory(newStackObject(size: layout.size(e.type), type: e.type, name: "literal")),
                            type: e.type, bitfield: nil)
            try initialize(lv, with: i, location: e.location)
            return lv
        case .stringLiteral(let bytes):
            let off = module.internString(bytes)
            let r = symbolAddress(ModuleLowering.stringSection, offset: Int64(off))
            return LValue(storage: .memory(MemoryRef(base: .reg(r), offset: 0, alignment: 1)), type: e.type, bitfield: nil)
        case .statementExpr, .call, .conditional, .binary(.comma, _, _), .binary(.assign, _, _):
            // Aggregate-valued expressions: their value is an address.
            let v = try rvalue(e)
            if case .aggregate(let m) = v { return LValue(storage: .memory(m), type: e.type, bitfield: nil) }
            throw LoweringError(e.location, "expression is not assignable")
        case .cast(let inner, _) where layout.isAggregate(e.type):
            return try lvalue(inner)
        default:
            throw LoweringError(e.location, "expression is not assignable")
        }
    }

    /// base + index * size, folding constant indices into the offset.
    func indexed(_ base: MemoryRef, index: Expr, elementSize: Int) throws -> MemoryRef {
        let iv = try rvalue(index)
        guard case .scalar(let op) = iv else { throw LoweringError(index.location, "array index is not an integer") }
        let signed = layout.isSigned(index.type)
        switch op {
        case .imm(let k):
            let kk = signed ? TypeLayout.signExtend(k, layout.width(index.type)) : k
            return base.adding(Int(kk) &* elementSize)
        case .reg:
            let scaled = try scaleIndex(op, type: index.type, by: elementSize)
            let baseReg = materializeAddress(MemoryRef(base: base.base, offset: 0, alignment: base.alignment))
            let r = b.newVReg()
            b.emit(.binary(.add, dst: r, lhs: baseReg, rhs: .reg(scaled), width: .w64))
            return MemoryRef(base: .reg(r), offset: base.offset, alignment: gcdAlignment(base.alignment, elementSize))
        }
    }

    /// Widens an integer index to 64 bits and multiplies it by `size`.
    func scaleIndex(_ op: Operand, type: CType, by size: Int) throws -> VReg {
        let w = layout.width(type)
        var r = materialize(op, width: w)
        if w != .w64 && layout.isSigned(type) && !nonNegativeRegisters.contains(r) {
            let x = b.newVReg()
            b.emit(.ext(dst: x, src: r, from: w, to: .w64, signed: true))
            r = x
        }
        if size == 1 { return r }
        let x = b.newVReg()
        if size & (size - 1) == 0 {
            b.emit(.binary(.shl, dst: x, lhs: r, rhs: .imm(Int64(size.trailingZeroBitCount)), width: .w64))
        } else {
            b.emit(.binary(.mul, dst: x, lhs: r, rhs: .imm(Int64(size)), width: .w64))
        }
        return x
    }

    /// The memory a pointer-valued expression points to, folding `p + k` and `&lvalue`.
    func pointerTarget(_ p: Expr) throws -> MemoryRef {
        let pointee = p.type.pointee ?? .void
        let align = min(8, layout.alignment(pointee))
        switch p.kind {
        case .unary(.addressOf, let inner):
            let lv = try lvalue(inner)
            if let m = addressableMemory(lv) { return m }
        case .cast(let inner, _) where inner.type.isPointer || isArray(inner.type):
            if isArray(inner.type) {
                let lv = try lvalue(inner)
                if case .memory(let m) = lv.storage { return MemoryRef(base: m.base, offset: m.offset, alignment: m.alignment) }
            } else {
                // A cast does not move the address: what is known about its alignment stays
                // (`memset((void *)&v, ...)` may still use 8-byte stores on an 8-aligned local),
                // and through a pointer the new pointee type's alignment holds as well (C
                // requires it: `*(__u32 *)(p + 1)` is a 4-byte access, as for clang). On the
                // stack the slot's own alignment stands: the verifier checks it.
                var m = try pointerTarget(inner)
                if case .reg = m.base { m.alignment = max(m.alignment, align) }
                return m
            }
        case .binary(let op, let l, let r) where (op == .add || op == .sub) && l.type.isPointer && r.type.isInteger:
            if let k = ConstantEvaluator.integer(r) {
                let size = max(1, layout.size(l.type.pointee ?? .void))
                let kk = layout.isSigned(r.type) ? TypeLayout.signExtend(k, layout.width(r.type)) : k
                let m = try pointerTarget(l)
                return m.adding((op == .add ? 1 : -1) &* Int(kk) &* size)
            }
        default: break
        }
        let v = try rvalue(p)
        switch v {
        case .scalar(let op):
            return MemoryRef(base: .reg(materialize(op, width: .w64)), offset: 0, alignment: align)
        case .aggregate(let m):
            return m
        case .none:
            throw LoweringError(p.location, "void value used as a pointer")
        }
    }

    func isArray(_ t: CType) -> Bool { if case .array = t.canonical { return true }; return false }

    // MARK: loads and stores

    func load(_ lv: LValue, at loc: SourceLocation) throws -> RValue {
        if layout.isAggregate(lv.type) {
            guard case .memory(let m) = lv.storage else { throw LoweringError(loc, "aggregate not in memory") }
            return .aggregate(m)
        }
        switch lv.storage {
        case .register(let r):
            return .scalar(.reg(r))
        case .constant(let v, _):
            return .scalar(.imm(TypeLayout.normalize(v, layout.width(lv.type))))
        case .coreField(let base, let offset, let reloc, _):
            let r = b.newVReg()
            b.emit(.coreLoad(dst: r, base: base, offset: offset, width: layout.width(lv.type), reloc: reloc))
            return .scalar(.reg(r))
        case .memory(let m):
            if let bf = lv.bitfield { return .scalar(.reg(try loadBitfield(m, bf, type: lv.type))) }
            guard layout.isScalar(lv.type) else {
                throw LoweringError(loc, "cannot load a value of this type")
            }
            let w = layout.width(lv.type)
            if m.alignment < w.bytes {
                return .scalar(.reg(try loadPieces(m, width: w)))
            }
            let r = b.newVReg()
            // A volatile load through a pointer is bracketed by empty statements: it is
            // done here, once, whether or not its value is used.
            var volatileBase: VReg? = nil
            if case .reg(let base) = m.base, lv.type.isVolatileQualified { volatileBase = base }
            if let base = volatileBase { b.emit(.inlineAsm(.volatileLoadStart, inputs: [base], outputs: [])) }
            b.emit(.load(dst: r, base: m.base, offset: m.offset, width: w, signed: false))
            if volatileBase != nil { b.emit(.inlineAsm(.volatileAccessEnd, inputs: [r], outputs: [])) }
            return .scalar(.reg(r))
        }
    }

    private func loadBitfield(_ m: MemoryRef, _ bf: (bitOffset: Int, width: Int, unitBytes: Int), type: CType) throws -> VReg {
        let uw = Width(bytes: bf.unitBytes) ?? .w64
        let unit = b.newVReg()
        b.emit(.load(dst: unit, base: m.base, offset: m.offset, width: uw, signed: false))
        let pos = module.options.bigEndian ? bf.unitBytes * 8 - bf.bitOffset - bf.width : bf.bitOffset
        let tw = layout.width(type)
        var v = unit
        if layout.isSigned(type) {
            let t = b.newVReg()
            b.emit(.binary(.shl, dst: t, lhs: v, rhs: .imm(Int64(64 - pos - bf.width)), width: .w64))
            let s = b.newVReg()
            b.emit(.binary(.ashr, dst: s, lhs: t, rhs: .imm(Int64(64 - bf.width)), width: .w64))
            v = s
            if tw != .w64 {
                let z = b.newVReg()
                b.emit(.ext(dst: z, src: v, from: tw, to: tw == .w32 ? .w32 : .w64, signed: false))
                v = z
            }
        } else {
            if pos > 0 {
                let t = b.newVReg()
                b.emit(.binary(.lshr, dst: t, lhs: v, rhs: .imm(Int64(pos)), width: .w64))
                v = t
            }
            if pos + bf.width < bf.unitBytes * 8 {
                let t = b.newVReg()
                b.emit(.binary(.and, dst: t, lhs: v, rhs: .imm(Int64((UInt64(1) << UInt64(bf.width)) - 1)), width: .w64))
                v = t
            }
        }
        return v
    }

    /// Stores a scalar value (already converted to lv.type).
    func assign(_ lv: LValue, value: Operand) throws {
        switch lv.storage {
        case .constant:
            throw LoweringError(.unknown, "internal error: the induction variable of an unrolled loop was assigned")
        case .register(let r):
            b.emit(.mov(dst: r, src: value, width: layout.width(lv.type) == .w64 ? .w64 : .w32))
        case .coreField(let base, let offset, let reloc, _):
            let w = layout.width(lv.type)
            var v = value
            if case .imm(let k) = value, w == .w64, k < Int64(Int32.min) || k > Int64(Int32.max) {
                v = .reg(materialize(value, width: .w64))
            }
            b.emit(.coreStore(base: base, offset: offset, value: v, width: w, reloc: reloc))
        case .memory(let m):
            // A volatile store through a pointer is followed by an empty statement: it is
            // done here even if a later store writes the same bytes.
            defer {
                if case .reg(let base) = m.base, lv.type.isVolatileQualified {
                    b.emit(.inlineAsm(.volatileAccessEnd, inputs: [base], outputs: []))
                }
            }
            if let bf = lv.bitfield { try storeBitfield(m, bf, value: value); return }
            var v = value
            let w = layout.width(lv.type)
            if case .imm(let k) = value, w == .w64, k < Int64(Int32.min) || k > Int64(Int32.max) {
                v = .reg(materialize(value, width: .w64))
            }
            if m.alignment < w.bytes {
                // A misaligned member of a packed struct: in aligned pieces, as clang does
                // (the verifier rejects misaligned stack accesses, and strict alignment
                // checking other ones).
                try storePieces(m, value: v, width: w)
                return
            }
            b.emit(.store(base: m.base, offset: m.offset, value: v, width: w))
        }
    }

    private func storeBitfield(_ m: MemoryRef, _ bf: (bitOffset: Int, width: Int, unitBytes: Int), value: Operand) throws {
        let uw = Width(bytes: bf.unitBytes) ?? .w64
        let pos = module.options.bigEndian ? bf.unitBytes * 8 - bf.bitOffset - bf.width : bf.bitOffset
        let fieldMask = (bf.width >= 64 ? ~UInt64(0) : (UInt64(1) << UInt64(bf.width)) - 1)
        let unit = b.newVReg()
        b.emit(.load(dst: unit, base: m.base, offset: m.offset, width: uw, signed: false))
        let clearMask = ~(fieldMask << UInt64(pos)) & TypeLayout.mask(uw)
        let cleared = b.newVReg()
        b.emit(.binary(.and, dst: cleared, lhs: unit, rhs: .reg(materialize(.imm(Int64(bitPattern: clearMask)), width: .w64)), width: .w64))
        let merged = b.newVReg()
        switch value {
        case .imm(let k):
            let bits = (UInt64(bitPattern: k) & fieldMask) << UInt64(pos)
            b.emit(.binary(.or, dst: merged, lhs: cleared, rhs: .reg(materialize(.imm(Int64(bitPattern: bits)), width: .w64)), width: .w64))
        case .reg(let r):
            let masked = b.newVReg()
            b.emit(.binary(.and, dst: masked, lhs: r, rhs: .reg(materialize(.imm(Int64(bitPattern: fieldMask)), width: .w64)), width: .w64))
            let shifted = b.newVReg()
            b.emit(.binary(.shl, dst: shifted, lhs: masked, rhs: .imm(Int64(pos)), width: .w64))
            b.emit(.binary(.or, dst: merged, lhs: cleared, rhs: .reg(shifted), width: .w64))
        }
        b.emit(.store(base: m.base, offset: m.offset, value: .reg(merged), width: uw))
    }

    /// Assigns an evaluated right-hand side of type `type` to `lv`, converting scalars
    /// and copying aggregates.
    func assign(_ lv: LValue, rvalue v: RValue, type: CType, at loc: SourceLocation) throws {
        switch v {
        case .scalar(let op):
            try assign(lv, value: try convert(op, from: type, to: lv.type, at: loc))
        case .aggregate(let src):
            guard case .memory(let dst) = lv.storage else { throw LoweringError(loc, "aggregate assigned to a register") }
            copy(to: dst, from: src, size: try inlineSize(layout.size(lv.type), at: loc, "a copy"))
        case .none:
            throw LoweringError(loc, "void value assigned")
        }
    }

    /// A little-endian value assembled from byte loads (misaligned stack data).
    /// The widest piece (1, 2 or 4 bytes) a misaligned access splits into.
    private func piece(_ alignment: Int) -> Width { alignment >= 4 ? .w32 : alignment >= 2 ? .w16 : .w8 }

    private func loadPieces(_ m: MemoryRef, width w: Width) throws -> VReg {
        let p = piece(m.alignment), n = w.bytes / p.bytes
        var acc: VReg? = nil
        for k in 0..<n {
            let part = b.newVReg()
            let pos = (module.options.bigEndian ? n - 1 - k : k) * p.bytes
            b.emit(.load(dst: part, base: m.base, offset: m.offset &+ pos, width: p, signed: false))
            var shiftedPart = part
            if k > 0 {
                shiftedPart = b.newVReg()
                b.emit(.binary(.shl, dst: shiftedPart, lhs: part, rhs: .imm(Int64(8 * p.bytes * k)), width: .w64))
            }
            if let a = acc {
                let sum = b.newVReg()
                b.emit(.binary(.or, dst: sum, lhs: a, rhs: .reg(shiftedPart), width: .w64))
                acc = sum
            } else {
                acc = shiftedPart
            }
        }
        return acc!
    }

    private func storePieces(_ m: MemoryRef, value: Operand, width w: Width) throws {
        let p = piece(m.alignment), n = w.bytes / p.bytes
        let mask = p == .w32 ? UInt64(0xffff_ffff) : (UInt64(1) << UInt64(p.bits)) - 1
        for k in 0..<n {
            let pos = (module.options.bigEndian ? n - 1 - k : k) * p.bytes
            let shift = UInt64(8 * p.bytes * k)
            switch value {
            case .imm(let c):
                b.emit(.store(base: m.base, offset: m.offset &+ pos, value: .imm(Int64((UInt64(bitPattern: c) >> shift) & mask)), width: p))
            case .reg(let r):
                var part = r
                if k > 0 {
                    part = b.newVReg()
                    b.emit(.binary(.lshr, dst: part, lhs: r, rhs: .imm(Int64(shift)), width: .w64))
                }
                b.emit(.store(base: m.base, offset: m.offset &+ pos, value: .reg(part), width: p))
            }
        }
    }

    // MARK: block operations

    /// A new stack slot of `size` bytes holding a `type`. Aggregates of 8 bytes and more
    /// are 8-byte aligned (as clang does), so zeroing and copies use 8-byte accesses; a
    /// slot reused from a closed scope may be aligned more than asked, which its
    /// reference records.
    func newStackObject(size: Int, type: CType, alignment: Int? = nil, wordAligned: Bool = true, name: String,
                        isVolatile: Bool = false, passedToCalls: Bool = false) -> MemoryRef {
        var align = alignment ?? layout.alignment(type)
        if wordAligned && layout.isAggregate(type) && size >= 8 { align = max(align, 8) }
        // A map key held in an integer under 8 bytes: 8 bytes of its own, stored whole.
        let padded = passedToCalls && !isVolatile && !b.function.bigEndian && layout.isScalar(type) && [1, 2, 4].contains(size)
            ? Width(bytes: size) : nil
        let slot = b.newSlot(size: size, alignment: align, name: name, isVolatile: isVolatile, passedToCalls: passedToCalls,
                             paddedScalar: padded)
        return MemoryRef(base: .slot(slot), offset: 0, alignment: min(8, b.function.slots[slot].alignment))
    }

    /// A local this large is refused where it is declared: the frame holds 512 bytes, and
    /// the passes track a stack object's bytes.
    static let largestLocal = 1 << 16

    /// `size` when a copy or fill of that many bytes can be expanded inline.
    func inlineSize(_ size: Int, at loc: SourceLocation, _ what: String) throws -> Int {
        guard size >= 0 && size <= MemoryBuiltin.largestInline else {
            throw LoweringError(loc, MemoryBuiltin.tooLarge(what, Int64(size)))
        }
        return size
    }

    func copy(to dst: MemoryRef, from src: MemoryRef, size: Int) {
        MemoryPieces.copy(to: dst.base, dst.offset, from: src.base, src.offset, size: size, alignment: min(dst.alignment, src.alignment),
                          newVReg: { b.newVReg() }, emit: { b.emit($0) })
    }

    /// A copy or fill whose size is not a constant here: a call the optimizer expands once
    /// folding makes the size one (see `MemoryBuiltin`); the builtin's value, the
    /// destination, unless discarded.
    func pendingMemoryCall(_ kind: MemoryBuiltin.Kind, _ dst: MemoryRef, _ source: Operand, alignment: Int, size: Operand,
                           at loc: SourceLocation, discard: Bool) throws -> RValue {
        let address = materializeAddress(dst)
        at(loc)
        b.emit(.call(dst: nil, callee: .memoryBuiltin(MemoryBuiltin(kind, alignment: alignment)),
                     args: [.reg(address), source, size]))
        return discard ? .none : .scalar(.reg(address))
    }

    func fill(_ dst: MemoryRef, byte: Operand, size: Int) {
        MemoryPieces.fill(dst.base, dst.offset, byte: byte, size: size, alignment: dst.alignment, newVReg: { b.newVReg() }, emit: { b.emit($0) })
    }

    // MARK: initialisation

    func initialize(_ lv: LValue, with initializer: Initializer, location: SourceLocation) throws {
        switch initializer {
        case .expr(let e):
            if case .memory(let m) = lv.storage, isArray(lv.type), case .stringLiteral(let bytes) = e.kind {
                let size = try inlineSize(layout.size(lv.type), at: location, "an initialization")
                fill(m, byte: .imm(0), size: size)
                var padded = Array(bytes.prefix(size))
                while padded.count % 8 != 0 && padded.count < size { padded.append(0) }
                for (off, w) in Width.pieces(size: min(padded.count, size), alignment: m.alignment) {
                    var v: UInt64 = 0
                    for k in 0..<w.bytes {
                        let byte = UInt64(padded[off + k])
                        v |= module.options.bigEndian ? byte << UInt64((w.bytes - 1 - k) * 8) : byte << UInt64(k * 8)
                    }
                    let val = Int64(bitPattern: v)
                    let op: Operand = (w == .w64 && (val > Int64(Int32.max) || val < Int64(Int32.min)))
                        ? .reg(materialize(.imm(val), width: .w64)) : .imm(w == .w64 ? val : TypeLayout.signExtend(val, w))
                    b.emit(.store(base: m.base, offset: m.offset &+ off, value: op, width: w))
                }
                return
            }
            let v = try rvalue(e)
            try assign(lv, rvalue: v, type: e.type, at: e.location)
        case .list(_, let items):
            guard case .memory(let m) = lv.storage else {
                // A scalar initialised with braces: { x }
                if let (_, first) = items.first { try initialize(lv, with: first, location: location) }
                else { try assign(lv, value: .imm(0)) }
                return
            }
            // Zero the whole object, padding included, then store the listed elements.
            fill(m, byte: .imm(0), size: try inlineSize(layout.size(lv.type), at: location, "an initialization"))
            try initializeElements(m, type: lv.type, items: items, location: location)
        }
    }

    private func initializeElements(_ m: MemoryRef, type: CType, items: [(Int, Initializer)], location: SourceLocation) throws {
        switch type.canonical {
        case .array(let elem, _):
            let es = layout.size(elem)
            for (i, v) in items {
                let sub = LValue(storage: .memory(m.adding(i * es)), type: elem, bitfield: nil)
                try initializeNoZero(sub, with: v, location: location)
            }
        case .record(let id):
            let rec = module.unit.records[id]
            for (i, v) in items where i < rec.fields.count {
                let f = rec.fields[i]
                var sub = LValue(storage: .memory(m.adding(f.bitOffset / 8)), type: f.type, bitfield: nil)
                if let w = f.bitWidth {
                    let unitBytes = max(1, layout.size(f.type))
                    let unitStart = (f.bitOffset / (unitBytes * 8)) * unitBytes
                    sub = LValue(storage: .memory(m.adding(unitStart)), type: f.type,
                                 bitfield: (bitOffset: f.bitOffset - unitStart * 8, width: w, unitBytes: unitBytes))
                }
                try initializeNoZero(sub, with: v, location: location)
            }
        default:
            if let (_, v) = items.first {
                try initializeNoZero(LValue(storage: .memory(m), type: type, bitfield: nil), with: v, location: location)
            }
        }
    }

    /// Initialises a sub-object of an already zeroed aggregate.
    private func initializeNoZero(_ lv: LValue, with i: Initializer, location: SourceLocation) throws {
        if case .list(_, let items) = i, case .memory(let m) = lv.storage, layout.isAggregate(lv.type) {
            try initializeElements(m, type: lv.type, items: items, location: location)
        } else if case .expr(let e) = i, case .intLiteral(0) = e.kind, lv.bitfield == nil, layout.isScalar(lv.type) {
            return   // already zero
        } else {
            try initialize(lv, with: i, location: location)
        }
    }
}
