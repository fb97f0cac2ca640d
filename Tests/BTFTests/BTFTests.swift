import Testing
@testable import BTF
import BPFFrontend

@Suite struct BTFTests {
    func u32(_ b: [UInt8], _ o: Int) -> UInt32 { UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24 }

    @Test func headerAndInt() {
        var b = BTFBuilder(unit: TranslationUnit(mainFile: "t.c"))
        let id = b.typeID(of: .int(bytes: 4, signed: true, name: "int"))
        #expect(id == 1)
        let (btf, ext) = b.encode(bigEndian: false)
        #expect(btf[0] == 0x9f && btf[1] == 0xeb && btf[2] == 1)
        #expect(u32(btf, 4) == 24)                 // hdr_len
        #expect(u32(btf, 12) == 16)                // one INT: 12 + 4 bytes
        #expect(u32(btf, 24 + 4) == (1 << 24))     // kind INT, vlen 0
        #expect(u32(btf, 24 + 12) == (1 << 24) | 32)  // SIGNED, 32 bits
        #expect(ext.isEmpty)
    }

    @Test func dedupAndRecursion() {
        var unit = TranslationUnit(mainFile: "t.c")
        unit.records = [RecordDecl(name: "node", isUnion: false, isComplete: true,
                                   fields: [FieldDecl(name: "next", type: .pointer(.record(0)), bitOffset: 0, bitWidth: nil),
                                            FieldDecl(name: "v", type: .int(bytes: 4, signed: false, name: "unsigned int"), bitOffset: 64, bitWidth: 3)],
                                   size: 16, alignment: 8, preserveAccessIndex: false, location: .unknown)]
        var b = BTFBuilder(unit: unit)
        let a = b.typeID(of: .pointer(.record(0)))
        let c = b.typeID(of: .pointer(.record(0)))
        #expect(a == c)
        let s = b.typeID(of: .record(0))
        let (btf, _) = b.encode(bigEndian: false)
        // STRUCT with kind_flag (bitfields) and bitfield size in the member offset's high byte.
        var off = 24
        for _ in 1..<s {
            let info = u32(btf, off + 4)
            let kind = (info >> 24) & 0x1f, vlen = Int(info & 0xffff)
            off += 12 + (kind == 1 ? 4 : 0) + (kind == 4 ? vlen * 12 : 0)
        }
        let info = u32(btf, off + 4)
        #expect(info >> 31 == 1 && (info >> 24) & 0x1f == 4 && info & 0xffff == 2)
        #expect(u32(btf, off + 12 + 12 + 8) == (3 << 24) | 64)
    }

    @Test func extSections() {
        var b = BTFBuilder(unit: TranslationUnit(mainFile: "t.c"))
        let f = b.addFunction(name: "prog", type: FunctionType(returnType: .int(bytes: 4, signed: true, name: "int"), parameters: [], isVariadic: false),
                              parameterNames: [], linkage: .global)
        b.addFuncInfo(section: "xdp", instructionByteOffset: 0, typeID: f)
        b.addLineInfo(section: "xdp", instructionByteOffset: 0, file: "t.c", line: 3, column: 5, lineText: "return 2;")
        let (_, ext) = b.encode(bigEndian: false)
        #expect(u32(ext, 4) == 32)                 // hdr_len
        #expect(u32(ext, 12) == 4 + 8 + 8)         // func_info: rec size + section header + one record
        #expect(u32(ext, 20) == 4 + 8 + 16)        // line_info
        #expect(u32(ext, 32) == 8 && u32(ext, 32 + 20) == 16)
    }
}
