extension BTFBuilder {
    /// Encodes .BTF and .BTF.ext. `ext` is empty when there is no record.
    ///
    /// .BTF: struct btf_header {u16 magic 0xeB9F; u8 version 1; u8 flags; u32 hdr_len 24;
    /// u32 type_off, type_len, str_off, str_len} (offsets after the header), types, strings.
    /// .BTF.ext: struct btf_ext_header {magic, version, flags, u32 hdr_len 32;
    /// func_info_off/len, line_info_off/len, core_relo_off/len}; each sub-section is
    /// u32 record size, then per ELF section {u32 sec_name_off, u32 num_info, records}.
    public func encode(bigEndian: Bool) -> (btf: [UInt8], ext: [UInt8]) {
        var resolved = self
        resolved.resolvePendingPointees()
        return (resolved.encodeBTF(bigEndian: bigEndian), ext.isEmpty ? [] : resolved.encodeExt(bigEndian: bigEndian))
    }

    func encodeBTF(bigEndian: Bool) -> [UInt8] {
        var typeBytes = BTFByteWriter(bigEndian: bigEndian)
        for t in types {
            typeBytes.u32(t.nameOffset); typeBytes.u32(t.info); typeBytes.u32(t.sizeOrType)
            for x in t.extra { typeBytes.u32(x) }
        }
        var w = BTFByteWriter(bigEndian: bigEndian)
        w.u16(0xeB9F); w.u8(1); w.u8(0)
        w.u32(24)
        w.u32(0); w.u32(typeBytes.bytes.count)
        w.u32(typeBytes.bytes.count); w.u32(strings.bytes.count)
        w.bytes += typeBytes.bytes + strings.bytes
        return w.bytes
    }

    func encodeExt(bigEndian: Bool) -> [UInt8] {
        var fi = BTFByteWriter(bigEndian: bigEndian)
        fi.u32(BTFExtInfo.funcInfoSize)
        var li = BTFByteWriter(bigEndian: bigEndian)
        li.u32(BTFExtInfo.lineInfoSize)
        var cr = BTFByteWriter(bigEndian: bigEndian)
        cr.u32(BTFExtInfo.coreReloSize)
        for s in ext.sectionOrder {
            let name = ext.sectionNames[s] ?? 0
            let f = ext.sortedFuncInfo(s)
            if !f.isEmpty {
                fi.u32(name); fi.u32(f.count)
                for r in f { fi.u32(r.insnOffset); fi.u32(r.typeID) }
            }
            let l = ext.sortedLineInfo(s)
            if !l.isEmpty {
                li.u32(name); li.u32(l.count)
                for r in l { li.u32(r.insnOffset); li.u32(r.file); li.u32(r.line); li.u32(r.lineCol) }
            }
            let c = ext.sortedCoreRelos(s)
            if !c.isEmpty {
                cr.u32(name); cr.u32(c.count)
                for r in c { cr.u32(r.insnOffset); cr.u32(r.typeID); cr.u32(r.access); cr.u32(r.kind) }
            }
        }
        // As clang: func_info and line_info always present (at least their record
        // size); core_relo only when there are relocations (length 0 otherwise).
        let coreLen = cr.bytes.count > 4 ? cr.bytes.count : 0
        var w = BTFByteWriter(bigEndian: bigEndian)
        w.u16(0xeB9F); w.u8(1); w.u8(0)
        w.u32(32)
        w.u32(0); w.u32(fi.bytes.count)
        w.u32(fi.bytes.count); w.u32(li.bytes.count)
        w.u32(fi.bytes.count + li.bytes.count); w.u32(coreLen)
        w.bytes += fi.bytes + li.bytes
        if coreLen > 0 { w.bytes += cr.bytes }
        return w.bytes
    }
}
