import Testing
@testable import BTF
import BPFFrontend

@Suite struct BTFExtTests {
    func builderWithRecords() -> (BTFBuilder, Int) {
        var b = BTFBuilder(unit: Fixture.unit)
        let f = b.addFunction(name: "prog", type: FunctionType(returnType: Fixture.int, parameters: [], isVariadic: false),
                              parameterNames: [], linkage: .global)
        let g = b.addFunction(name: "sub", type: FunctionType(returnType: Fixture.int, parameters: [], isVariadic: false),
                              parameterNames: [], linkage: .static)
        b.addFuncInfo(section: "xdp", instructionByteOffset: 0, typeID: f)
        b.addFuncInfo(section: ".text", instructionByteOffset: 0, typeID: g)
        // Out of order on purpose, with a duplicate offset.
        b.addLineInfo(section: "xdp", instructionByteOffset: 8, file: "t.c", line: 4, column: 2000, lineText: "return 2;")
        b.addLineInfo(section: "xdp", instructionByteOffset: 0, file: "t.c", line: 3, column: 5, lineText: "int x;")
        b.addLineInfo(section: "xdp", instructionByteOffset: 8, file: "t.c", line: 9, column: 1, lineText: "dup")
        let node = b.typeID(of: .record(Fixture.node))
        b.addCoreRelo(section: "xdp", instructionByteOffset: 16, typeID: node, accessString: "0:3", kind: 0)
        return (b, node)
    }

    @Test func headerAndSubsections() {
        let (b, node) = builderWithRecords()
        let (btf, ext) = b.encode(bigEndian: false)
        let d = DecodedBTF(btf)
        let r = ByteReader(bytes: ext, bigEndian: false)
        #expect(r.u16(0) == 0xeB9F && ext[2] == 1 && ext[3] == 0)
        #expect(r.u32(4) == 32)                                      // hdr_len with core_relo fields
        let fiOff = 32 + Int(r.u32(8)), fiLen = Int(r.u32(12))
        let liOff = 32 + Int(r.u32(16)), liLen = Int(r.u32(20))
        let crOff = 32 + Int(r.u32(24)), crLen = Int(r.u32(28))
        #expect(fiLen == 4 + 2 * (8 + 8))                            // two sections, one record each
        #expect(liLen == 4 + 8 + 2 * 16)                             // duplicate offset dropped
        #expect(crLen == 4 + 8 + 16)
        #expect(fiOff + fiLen == liOff && liOff + liLen == crOff && crOff + crLen == ext.count)
        // func_info: record size, then "xdp" block (first used), then ".text".
        #expect(r.u32(fiOff) == 8)
        #expect(d.string(at: Int(r.u32(fiOff + 4))) == "xdp" && r.u32(fiOff + 8) == 1)
        #expect(d.string(at: Int(r.u32(fiOff + 20))) == ".text")
        // line_info sorted by offset; line << 10 | column, column saturated.
        #expect(r.u32(liOff) == 16 && r.u32(liOff + 8) == 2)
        let l0 = liOff + 12, l1 = l0 + 16
        #expect(r.u32(l0) == 0 && d.string(at: Int(r.u32(l0 + 4))) == "t.c" && d.string(at: Int(r.u32(l0 + 8))) == "int x;")
        #expect(r.u32(l0 + 12) == 3 << 10 | 5)
        #expect(r.u32(l1) == 8 && r.u32(l1 + 12) == 4 << 10 | 1023 && d.string(at: Int(r.u32(l1 + 8))) == "return 2;")
        // core_relo: insn_off, type_id, access_str_off, kind.
        #expect(r.u32(crOff) == 16 && r.u32(crOff + 8) == 1)
        #expect(r.u32(crOff + 12) == 16 && r.u32(crOff + 16) == UInt32(node))
        #expect(d.string(at: Int(r.u32(crOff + 20))) == "0:3" && r.u32(crOff + 24) == 0)
    }

    @Test func noCoreRelocationsMeansEmptyCoreSubsection() {
        var b = BTFBuilder(unit: Fixture.unit)
        let f = b.addFunction(name: "prog", type: FunctionType(returnType: Fixture.int, parameters: [], isVariadic: false),
                              parameterNames: [], linkage: .global)
        b.addFuncInfo(section: "xdp", instructionByteOffset: 0, typeID: f)
        let ext = b.encode(bigEndian: false).ext
        let r = ByteReader(bytes: ext, bigEndian: false)
        #expect(r.u32(12) == 20 && r.u32(20) == 4 && r.u32(28) == 0)     // line_info: record size only
        #expect(ext.count == 32 + 20 + 4)
    }

    @Test func bigEndianExt() {
        let (b, _) = builderWithRecords()
        let (btf, ext) = b.encode(bigEndian: true)
        #expect(Array(ext[0..<4]) == [0xeb, 0x9f, 1, 0])
        let r = ByteReader(bytes: ext, bigEndian: true)
        #expect(r.u32(4) == 32 && r.u32(32) == 8)
        #expect(DecodedBTF(btf, bigEndian: true).types.count == DecodedBTF(b.encode(bigEndian: false).btf).types.count)
    }

    @Test func encodeIsRepeatable() {
        let (b, _) = builderWithRecords()
        #expect(b.encode(bigEndian: false).btf == b.encode(bigEndian: false).btf)
    }
}
