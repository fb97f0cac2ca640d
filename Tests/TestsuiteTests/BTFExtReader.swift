import Foundation

/// Reads the CO-RE relocation records of an object's .BTF.ext (with type names from
/// its .BTF), independently of swift-bpfcc's writer, to compare with clang's output.
struct CoreRecord: Hashable, CustomStringConvertible {
    var section: String
    var typeName: String
    var access: String
    var kind: UInt32
    var description: String { "\(section): \(typeName) \(access) kind \(kind)" }
}

/// A variable of a BTF DATASEC.
struct DataSecVar: Hashable {
    var name: String
    var isStatic: Bool
    var offset: Int
    var size: Int
}

enum BTFExtReader {
    /// Data section name → variables, from the object's ELF symbol table (the DATASEC
    /// offsets in an object file are only fixed up by libbpf at load time).
    static func dataSections(objectPath: String) throws -> [String: [DataSecVar]] {
        guard let data = FileManager.default.contents(atPath: objectPath) else { throw HarnessError("cannot read \(objectPath)") }
        let b = [UInt8](data)
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u64(_ o: Int) -> Int { u32(b, o) | u32(b, o + 4) << 32 }
        func cstr(_ o: Int) -> String { var e = o; while e < b.count && b[e] != 0 { e += 1 }; return String(decoding: b[o..<e], as: UTF8.self) }
        let shoff = u64(0x28), shnum = u16(0x3c), shstrndx = u16(0x3e)
        let shstr = u64(shoff + shstrndx * 64 + 0x18)
        var names: [String] = []
        var symtab: (off: Int, size: Int, link: Int)? = nil
        for i in 0..<shnum {
            let h = shoff + i * 64
            names.append(cstr(shstr + u32(b, h)))
            if u32(b, h + 4) == 2 { symtab = (u64(h + 0x18), u64(h + 0x20), u32(b, h + 0x28)) }
        }
        guard let st = symtab else { return [:] }
        let strtab = u64(shoff + st.link * 64 + 0x18)
        var result: [String: [DataSecVar]] = [:]
        for k in 0..<(st.size / 24) {
            let e = st.off + k * 24
            let info = Int(b[e + 4]), shndx = u16(e + 6)
            guard info & 0xf == 1, shndx > 0, shndx < names.count else { continue }   // STT_OBJECT in a section
            result[names[shndx], default: []].append(DataSecVar(name: cstr(strtab + u32(b, e)), isStatic: info >> 4 == 0,
                                                                offset: u64(e + 8), size: u64(e + 16)))
        }
        return result
    }

    static func u32(_ b: [UInt8], _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 | Int(b[o + 2]) << 16 | Int(b[o + 3]) << 24 }

    static func coreRecords(objectPath: String) throws -> [CoreRecord] {
        guard let data = FileManager.default.contents(atPath: objectPath) else { throw HarnessError("cannot read \(objectPath)") }
        let b = [UInt8](data)
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 | Int(b[o + 2]) << 16 | Int(b[o + 3]) << 24 }
        func u64(_ o: Int) -> Int { u32(o) | u32(o + 4) << 32 }
        func cstr(_ o: Int) -> String { var e = o; while e < b.count && b[e] != 0 { e += 1 }; return String(decoding: b[o..<e], as: UTF8.self) }
        let shoff = u64(0x28), shnum = u16(0x3c), shstrndx = u16(0x3e)
        let strOff = u64(shoff + shstrndx * 64 + 0x18)
        var sections: [String: (Int, Int)] = [:]
        for i in 0..<shnum {
            let h = shoff + i * 64
            sections[cstr(strOff + u32(h))] = (u64(h + 0x18), u64(h + 0x20))
        }
        guard let (btfOff, _) = sections[".BTF"], let (extOff, _) = sections[".BTF.ext"] else { return [] }
        // .BTF: string table and type names by id.
        let hdr = u32(btfOff + 4)
        let typeStart = btfOff + hdr + u32(btfOff + 8), typeLen = u32(btfOff + 12)
        let strStart = btfOff + hdr + u32(btfOff + 16)
        func btfString(_ o: Int) -> String { cstr(strStart + o) }
        var names: [String] = [""]
        var p = typeStart
        while p < typeStart + typeLen {
            let info = u32(p + 4), kind = (info >> 24) & 0x1f, vlen = info & 0xffff
            names.append(btfString(u32(p)))
            p += 12
            switch kind {
            case 1: p += 4
            case 3: p += 12
            case 4, 5: p += 12 * vlen
            case 6: p += 8 * vlen
            case 13: p += 8 * vlen
            case 14: p += 4
            case 15: p += 12 * vlen
            case 17: p += 4
            case 19: p += 12 * vlen
            default: break
            }
        }
        // .BTF.ext core_relo sub-section.
        let extHdr = u32(extOff + 4)
        guard extHdr >= 32 else { return [] }
        let coreOff = extOff + extHdr + u32(extOff + 24), coreLen = u32(extOff + 28)
        guard coreLen > 4 else { return [] }
        let recSize = u32(coreOff)
        var q = coreOff + 4
        var out: [CoreRecord] = []
        while q < coreOff + coreLen {
            let sec = btfString(u32(q)), n = u32(q + 4)
            q += 8
            for _ in 0..<n {
                let typeID = u32(q + 4)
                out.append(CoreRecord(section: sec, typeName: typeID < names.count ? names[typeID] : "?",
                                      access: btfString(u32(q + 8)), kind: UInt32(u32(q + 12))))
                q += recSize
            }
        }
        return out
    }
}
