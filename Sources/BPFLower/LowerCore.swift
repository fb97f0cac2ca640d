import BPFIR
import BPFFrontend

/// bpf_core_relo_kind values (kernel UAPI / libbpf).
enum CoreRelocKind: Int {
    case fieldByteOffset = 0, fieldByteSize, fieldExists, fieldSigned, fieldLShiftU64, fieldRShiftU64
    case typeIDLocal, typeIDTarget, typeExists, typeSize, enumValueExists, enumValue, typeMatches
}

/// A relocatable access chain `root[first].a.b[2].c`.
struct CoreAccess {
    var root: MemoryRef          // address the chain starts from
    var rootType: CType          // canonical type at the root (the record or array pointed to)
    var indices: [Int]           // access string: first index, then member / array indices
    var offset: Int              // byte offset in the compiling machine's layout
    var field: FieldDecl?        // the last member, when the chain ends in one
    var fieldRecordBitOffset: Int // bit offset of the last member from the root object
}

extension FunctionLowering {
    /// Whether member accesses into this record type produce CO-RE relocations here.
    func isRelocatable(_ recordType: CType) -> Bool {
        guard module.options.core, let rec = layout.record(recordType) else { return false }
        return preserveDepth > 0 || rec.preserveAccessIndex
    }

    /// Walks a member/subscript chain down to its root; nil when the outermost
    /// access is not relocatable.
    func coreAccess(_ e: Expr, allowBitfield: Bool = false) throws -> CoreAccess? {
        // The chain ends in a member, or in constant-index elements of an array member (`skb->cb[1]`).
        var head = e
        while case .arraySubscript(let base, let index) = head.kind, let array = decayedArray(base),
              ConstantEvaluator.integer(index) != nil {
            head = array
        }
        guard case .member(let base0, let idx0, let arrow0) = head.kind else { return nil }
        let rec0Type = arrow0 ? (base0.type.pointee ?? .void) : base0.type
        guard isRelocatable(rec0Type), let rec0 = layout.record(rec0Type), idx0 < rec0.fields.count else { return nil }
        if rec0.fields[idx0].bitWidth != nil && !allowBitfield { return nil }
        var indices: [Int] = []
        var offsetBits = 0
        var cur = e
        let lastField: FieldDecl? = head.kind == e.kind ? rec0.fields[idx0] : nil
        while true {
            switch cur.kind {
            case .member(let base, let idx, let isArrow):
                let recType = isArrow ? (base.type.pointee ?? .void) : base.type
                guard let rec = layout.record(recType), idx < rec.fields.count, isRelocatable(recType) else {
                    return try finish(root: cur, indices: indices, offsetBits: offsetBits, lastField: lastField)
                }
                indices.insert(btfMemberIndex(rec, idx), at: 0)
                offsetBits += rec.fields[idx].bitOffset
                if isArrow {
                    let root = try pointerTarget(base)
                    return CoreAccess(root: root, rootType: coreRootType(recType), indices: [0] + indices,
                                      offset: offsetBits / 8, field: lastField, fieldRecordBitOffset: offsetBits)
                }
                cur = base
            case .arraySubscript(let base, let index):
                guard let k = ConstantEvaluator.integer(index) else {
                    return try finish(root: cur, indices: indices, offsetBits: offsetBits, lastField: lastField)
                }
                let elemSize = layout.size(cur.type)
                if let array = decayedArray(base) {
                    // Outside __builtin_preserve_access_index only members are relocatable:
                    // an element of a local or global array is where the chain starts.
                    if preserveDepth == 0 && !isRelocatableMember(array) {
                        return try finish(root: cur, indices: indices, offsetBits: offsetBits, lastField: lastField)
                    }
                    indices.insert(Int(k), at: 0)
                    offsetBits = offsetBits &+ Int(k) &* elemSize &* 8   // wraps, as the address does
                    cur = array
                } else {
                    let root = try pointerTarget(base)
                    return CoreAccess(root: root, rootType: coreRootType(cur.type), indices: [Int(k)] + indices,
                                      offset: offsetBits / 8 + Int(k) * elemSize, field: lastField,
                                      fieldRecordBitOffset: offsetBits &+ Int(k) &* elemSize &* 8)
                }
            case .unary(.deref, let p):
                let root = try pointerTarget(p)
                return CoreAccess(root: root, rootType: coreRootType(cur.type), indices: [0] + indices,
                                  offset: offsetBits / 8, field: lastField, fieldRecordBitOffset: offsetBits)
            default:
                return try finish(root: cur, indices: indices, offsetBits: offsetBits, lastField: lastField)
            }
            _ = lastField
        }
    }

    /// Whether `e` is a member of a record whose accesses are relocatable here.
    func isRelocatableMember(_ e: Expr) -> Bool {
        guard case .member(let base, _, let arrow) = e.kind else { return false }
        return isRelocatable(arrow ? (base.type.pointee ?? .void) : base.type)
    }

    /// The type a relocation names as its root: the canonical type, except that an
    /// anonymous struct or union reached through a typedef is named by the typedef, as
    /// clang does (libbpf looks its candidates up by name).
    func coreRootType(_ t: CType) -> CType {
        let c = t.canonical
        guard case .record(let id) = c, module.unit.records[id].name == nil else { return c }
        var u = t
        while true {
            switch u {
            case .const(let x), .volatile(let x), .restrict(let x), .typeTag(_, let x): u = x
            case .typedef: return u
            default: return c
            }
        }
    }

    /// The array an index expression's base designates: the array itself or its decay to a pointer.
    func decayedArray(_ base: Expr) -> Expr? {
        if isArray(base.type) { return base }
        if case .cast(let inner, _) = base.kind, isArray(inner.type) { return inner }
        return nil
    }

    /// A field's index among the BTF members of its record (unnamed bitfields are not members).
    func btfMemberIndex(_ rec: RecordDecl, _ idx: Int) -> Int {
        rec.fields[..<idx].filter { !($0.name == nil && $0.bitWidth != nil) }.count
    }

    private func finish(root: Expr, indices: [Int], offsetBits: Int, lastField: FieldDecl?) throws -> CoreAccess? {
        let lv = try lvalue(root)
        guard case .memory(let m) = lv.storage else { return nil }
        return CoreAccess(root: m, rootType: coreRootType(root.type), indices: [0] + indices, offset: offsetBits / 8,
                          field: lastField, fieldRecordBitOffset: offsetBits)
    }

    func coreReloc(_ a: CoreAccess, kind: CoreRelocKind) -> CoreReloc {
        CoreReloc(typeID: module.coreTypeID(a.rootType), typeName: { if case .typedef(let n, _) = a.rootType { return n }; return typeName(a.rootType) }(),
                  accessString: a.indices.map(String.init).joined(separator: ":"), kind: kind.rawValue)
    }

    func typeName(_ t: CType) -> String {
        switch t.canonical {
        case .record(let id): return module.unit.records[id].name ?? ""
        case .enumeration(let id): return module.unit.enums[id].name ?? ""
        default: return ""
        }
    }

    /// The storage of a relocatable member access. A whole scalar field is read and
    /// written with the relocation on the load/store itself; anything else (aggregates,
    /// addresses) goes through root + relocated offset.
    func coreStorage(_ a: CoreAccess, type: CType) -> Storage {
        let base = materializeAddress(a.root)
        // The alignment the address has in this machine's layout, as clang assumes for a
        // relocated access too: an 8-aligned record's `char comm[16]` at offset 24 is copied
        // eight bytes at a time.
        let alignment = max(min(8, layout.alignment(type)), gcdAlignment(min(8, a.root.alignment), a.offset))
        if layout.isScalar(type), a.offset <= Int(Int16.max) {
            return .coreField(base: base, offset: a.offset, reloc: coreReloc(a, kind: .fieldByteOffset), alignment: alignment)
        }
        return .memory(coreAddress(base: base, offset: a.offset, reloc: coreReloc(a, kind: .fieldByteOffset), alignment: alignment))
    }

    /// root + relocated offset, in a register.
    func coreAddress(base: VReg, offset: Int, reloc: CoreReloc, alignment: Int) -> MemoryRef {
        let off = b.newVReg()
        b.emit(.coreValue(dst: off, value: Int64(offset), reloc: reloc))
        let addr = b.newVReg()
        b.emit(.binary(.add, dst: addr, lhs: base, rhs: .reg(off), width: .w64))
        return MemoryRef(base: .reg(addr), offset: 0, alignment: alignment)
    }

    /// The memory behind an lvalue whose address is taken (nil for registers).
    func addressableMemory(_ lv: LValue) -> MemoryRef? {
        guard lv.bitfield == nil else { return nil }
        if case .coreField(let base, let offset, let reloc, let alignment) = lv.storage {
            return coreAddress(base: base, offset: offset, reloc: reloc, alignment: alignment)
        }
        return lv.storage.memoryRef
    }

    // MARK: builtins

    /// __builtin_preserve_field_info(access, kind)
    func lowerPreserveFieldInfo(_ args: [Expr], _ e: Expr) throws -> RValue {
        guard args.count == 2, let kindValue = ConstantEvaluator.integer(args[1]),
              let kind = CoreRelocKind(rawValue: Int(kindValue)) else {
            throw LoweringError(e.location, "__builtin_preserve_field_info needs a member access and a constant kind")
        }
        preserveDepth += 1
        defer { preserveDepth -= 1 }
        var target = args[0]
        while case .cast(let inner, true) = target.kind { target = inner }
        guard let access = try coreAccess(target, allowBitfield: true), let field = access.field else {
            throw LoweringError(args[0].location, "__builtin_preserve_field_info needs a struct or union member access")
        }
        let fieldSize = layout.size(field.type)
        let bitOff = access.fieldRecordBitOffset
        let value: Int64
        switch kind {
        case .fieldByteOffset:
            if let w = field.bitWidth { _ = w; value = Int64((bitOff / (fieldSize * 8)) * fieldSize) } else { value = Int64(bitOff / 8) }
        case .fieldByteSize: value = Int64(fieldSize)
        case .fieldExists: value = 1
        case .fieldSigned: value = layout.isSigned(field.type) ? 1 : 0
        case .fieldLShiftU64:
            let w = field.bitWidth ?? fieldSize * 8
            let unitStart = field.bitWidth == nil ? bitOff : (bitOff / (fieldSize * 8)) * fieldSize * 8
            let inUnit = bitOff - unitStart
            value = module.options.bigEndian ? Int64(64 - fieldSize * 8 + inUnit) : Int64(64 - (inUnit + w))
        case .fieldRShiftU64:
            value = Int64(64 - (field.bitWidth ?? fieldSize * 8))
        default:
            throw LoweringError(e.location, "invalid field relocation kind \(kindValue)")
        }
        let r = b.newVReg()
        b.emit(.coreValue(dst: r, value: value, reloc: coreReloc(access, kind: kind)))
        return .scalar(.reg(r))
    }

    /// The type named by a `*(T *)0`-style operand (or a type operand).
    func typeOperand(_ e: Expr) -> CType {
        if case .typeOperand(let t) = e.kind { return t }
        if case .enumValueOperand(let t, _) = e.kind { return t }
        if case .cast(let inner, true) = e.kind { return typeOperand(inner) }
        return e.type
    }

    /// __builtin_preserve_type_info(*(T *)0, kind)
    func lowerPreserveTypeInfo(_ args: [Expr], _ e: Expr) throws -> RValue {
        guard args.count == 2, let kindValue = ConstantEvaluator.integer(args[1]) else {
            throw LoweringError(e.location, "__builtin_preserve_type_info needs a type and a constant kind")
        }
        let t = typeOperand(args[0])
        let kind: CoreRelocKind
        let value: Int64
        switch kindValue {
        case 0: kind = .typeExists; value = 1
        case 1: kind = .typeSize; value = Int64(layout.size(t))
        case 2: kind = .typeMatches; value = 1
        default: throw LoweringError(e.location, "invalid type relocation kind \(kindValue)")
        }
        let r = b.newVReg()
        b.emit(.coreValue(dst: r, value: value, reloc: CoreReloc(typeID: module.coreTypeID(t), typeName: typeName(t),
                                                                   accessString: "0", kind: kind.rawValue)))
        return .scalar(.reg(r))
    }

    /// __builtin_preserve_enum_value(*(typeof(enum E) *)ENUMERATOR, kind)
    func lowerPreserveEnumValue(_ args: [Expr], _ e: Expr) throws -> RValue {
        guard args.count == 2, let kindValue = ConstantEvaluator.integer(args[1]) else {
            throw LoweringError(e.location, "__builtin_preserve_enum_value needs an enumerator and a constant kind")
        }
        let t = typeOperand(args[0])
        guard case .enumeration(let id) = t.canonical else {
            throw LoweringError(args[0].location, "__builtin_preserve_enum_value needs an enum type")
        }
        let decl = module.unit.enums[id]
        var index: Int?
        var value: Int64 = 0
        if case .enumValueOperand(_, let name) = args[0].kind {
            index = decl.values.firstIndex { $0.name == name }
        }
        if index == nil, let v = enumeratorValue(args[0]) {
            index = decl.values.firstIndex { $0.value == v }
        }
        guard let i = index else {
            throw LoweringError(args[0].location, "__builtin_preserve_enum_value: enumerator not found in the enum")
        }
        value = decl.values[i].value
        let kind: CoreRelocKind = kindValue == 0 ? .enumValueExists : .enumValue
        let r = b.newVReg()
        b.emit(.coreValue(dst: r, value: kind == .enumValueExists ? 1 : value,
                          reloc: CoreReloc(typeID: module.coreTypeID(t), typeName: typeName(t),
                                           accessString: String(i), kind: kind.rawValue)))
        return .scalar(.reg(r))
    }

    private func enumeratorValue(_ e: Expr) -> Int64? {
        switch e.kind {
        case .unary(.deref, let p): return enumeratorValue(p)
        case .cast(let inner, _): return enumeratorValue(inner)
        case .intLiteral(let v): return Int64(bitPattern: v)
        default: return nil
        }
    }

    /// __builtin_btf_type_id(obj, flag): 0 local, 1 target.
    func lowerBTFTypeID(_ args: [Expr], _ e: Expr) throws -> RValue {
        guard args.count == 2, let flag = ConstantEvaluator.integer(args[1]) else {
            throw LoweringError(e.location, "__builtin_btf_type_id needs an object and a constant flag")
        }
        let t = typeOperand(args[0])
        let r = b.newVReg()
        // The local id is filled in by the BTF stage (see ObjectAssembler).
        b.emit(.coreValue(dst: r, value: 0, reloc: CoreReloc(typeID: module.coreTypeID(t), typeName: typeName(t),
                                                               accessString: "0",
                                                               kind: (flag == 0 ? CoreRelocKind.typeIDLocal : .typeIDTarget).rawValue)))
        return .scalar(.reg(r))
    }
}
