import BPFFrontend

extension BTFBuilder {
    /// A FUNC_PROTO record. `names` nil: an anonymous prototype (function
    /// pointers); otherwise the parameter names of a FUNC.
    mutating func functionProto(_ ft: FunctionType, names: [String]?) -> BTFTypeRecord {
        let ret = typeID(of: ft.returnType)
        var params: [UInt32] = []
        for (i, p) in ft.parameters.enumerated() {
            var name: UInt32 = 0
            if let names, i < names.count, !names[i].isEmpty { name = strings.add(names[i]) }
            params += [name, UInt32(typeID(of: p))]
        }
        if ft.isVariadic { params += [0, 0] }      // a trailing void parameter marks "..."
        return BTFTypeRecord(kind: .functionProto, vlen: UInt32(params.count / 2), sizeOrType: UInt32(ret), extra: params)
    }

    /// STRUCT/UNION, or FWD for a record that is only declared.
    mutating func record(_ t: CType, _ rid: RecordID) -> Int {
        guard unit.records.indices.contains(rid) else { return 0 }
        let rec = unit.records[rid]
        let name = rec.name.map { strings.add($0) } ?? 0
        if !rec.isComplete || rec.membersOmitted {
            return intern(t, BTFTypeRecord(name: name, kind: .fwd, kindFlag: rec.isUnion))
        }
        let slot = reserve(t)
        // clang sets kind_flag on a record with bitfields; every member's offset
        // then carries the bitfield size (0 for ordinary members) in its top byte.
        var members: [UInt32] = []
        // Unnamed bitfields (`long: 64;` padding) are not BTF members, as in clang's output;
        // CO-RE access strings count members the same way (BPFLower's btfMemberIndex).
        let emitted = rec.fields.filter { !($0.name == nil && $0.bitWidth != nil) }
        let hasBitfields = emitted.contains { $0.bitWidth != nil }
        for f in emitted {
            let fname = f.name.map { strings.add($0) } ?? 0
            let ftype = visit(f.type, inMember: true, behindPointer: false)
            let bitOffset = UInt32(clamping: max(0, f.bitOffset))
            let off = hasBitfields ? (UInt32(clamping: max(0, f.bitWidth ?? 0)) & 0xff) << 24 | (bitOffset & 0xff_ffff)
                                   : bitOffset
            members += [fname, UInt32(ftype), off]
        }
        types[slot - 1] = BTFTypeRecord(name: name, kind: rec.isUnion ? .union : .structure,
                                        vlen: UInt32(emitted.count), kindFlag: hasBitfields,
                                        sizeOrType: UInt32(clamping: max(0, rec.size)), extra: members)
        for tag in rec.btfDeclTags { addDeclTag(tag, to: slot, component: -1) }
        for (i, f) in emitted.enumerated() { for tag in f.btfDeclTags { addDeclTag(tag, to: slot, component: i) } }
        return slot
    }

    /// ENUM (kind_flag: signed), or ENUM64 when the underlying type is wider
    /// than 32 bits (as clang decides) or a value does not fit 32 bits.
    mutating func enumeration(_ t: CType, _ eid: EnumID) -> Int {
        guard unit.enums.indices.contains(eid) else { return 0 }
        let e = unit.enums[eid]
        let name = e.name.map { strings.add($0) } ?? 0
        let wide = e.size > 4 || e.values.contains { $0.value > Int64(UInt32.max) || $0.value < Int64(Int32.min) }
        var extra: [UInt32] = []
        for v in e.values {
            let u = UInt64(bitPattern: v.value)
            extra.append(strings.add(v.name))
            extra.append(UInt32(truncatingIfNeeded: u))
            if wide { extra.append(UInt32(truncatingIfNeeded: u >> 32)) }
        }
        let size = e.values.isEmpty && e.size == 0 ? 4 : e.size
        return intern(t, BTFTypeRecord(name: name, kind: wide ? .enum64 : .enumeration, vlen: UInt32(e.values.count),
                                       kindFlag: e.isSigned, sizeOrType: UInt32(clamping: max(0, size)), extra: extra))
    }
}
