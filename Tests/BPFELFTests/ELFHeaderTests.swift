import Testing
@testable import BPFELF

@Suite struct ELFHeaderTests {
    func u16(_ b: [UInt8], _ o: Int, be: Bool = false) -> Int {
        be ? Int(b[o]) << 8 | Int(b[o + 1]) : Int(b[o]) | Int(b[o + 1]) << 8
    }
    func u64(_ b: [UInt8], _ o: Int) -> Int { (0..<8).reduce(0) { $0 | Int(b[o + $1]) << (8 * $1) } }

    @Test func identAndHeader() throws {
        let b = try ELFWriter.write(Fixture.object)
        #expect(Array(b[0..<8]) == [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])   // ELF64, LSB, version 1, ELFOSABI_NONE
        #expect(u16(b, 16) == 1 && u16(b, 18) == 247)                      // ET_REL, EM_BPF
        #expect(u16(b, 52) == 64 && u16(b, 58) == 64)                      // e_ehsize, e_shentsize
        // null + 8 + 2 .rel + .symtab + .strtab + .shstrtab
        #expect(u16(b, 60) == 1 + 8 + 2 + 3)
        #expect(u16(b, 62) == 13)                                          // e_shstrndx = .shstrtab
        let shoff = u64(b, 40)
        #expect(shoff % 8 == 0 && shoff + 14 * 64 == b.count)
    }

    @Test func bigEndian() throws {
        var o = Fixture.object
        o.bigEndian = true
        let b = try ELFWriter.write(o)
        #expect(b[5] == 2)
        #expect(u16(b, 16, be: true) == 1 && u16(b, 18, be: true) == 247)
    }

    @Test func typedErrors() {
        var o = Fixture.object
        o.sections[1].relocations.append(ELFRelocation(offset: 8, symbol: "nope", type: .r64))
        #expect(throws: ELFWriterError.unknownRelocationSymbol(section: "xdp", symbol: "nope")) { try ELFWriter.write(o) }
        o = Fixture.object
        o.symbols.append(ELFSymbol(name: "x", section: ".nosuch", value: 0, size: 0, binding: .global, type: .object))
        #expect(throws: ELFWriterError.unknownSection(symbol: "x", section: ".nosuch")) { try ELFWriter.write(o) }
        o = Fixture.object
        o.sections[1].relocations.append(ELFRelocation(offset: 48, symbol: "m", type: .r64))   // ld_imm64 past the end
        #expect(throws: ELFWriterError.relocationOutOfRange(section: "xdp", offset: 48, size: 56)) { try ELFWriter.write(o) }
        o = Fixture.object
        o.sections.append(ELFSection(name: ".bss", kind: .bss, alignment: 8, bytes: [], size: 4))
        #expect(throws: ELFWriterError.duplicateSection(".bss")) { try ELFWriter.write(o) }
    }

    @Test func contentsAreAlignedAndIntact() throws {
        let o = Fixture.object
        let b = try ELFWriter.write(o)
        let shoff = u64(b, 40)
        for (i, s) in o.sections.enumerated() {
            let h = shoff + (i + 1) * 64
            let off = u64(b, h + 24), size = u64(b, h + 32), align = u64(b, h + 48)
            #expect(align == Int(s.alignment) && off % align == 0, "\(s.name)")
            #expect(size == Int(s.size))
            if s.kind != .bss { #expect(Array(b[off..<off + size]) == s.bytes, "\(s.name)") }
        }
    }
}
