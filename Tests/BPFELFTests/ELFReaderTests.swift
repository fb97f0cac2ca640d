import Testing
import TestSupport
import Foundation
@testable import BPFELF

/// The object read back by llvm-readelf-22 / llvm-objdump-22, and compared with clang-22's conventions.
@Suite struct ELFReaderTests {
    func readelf(_ args: [String], _ object: ObjectFile) throws -> String? {
        guard Tool.exists(Tool.readelf) else { return nil }
        let path = Tool.tempFile(try ELFWriter.write(object), suffix: ".o")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Tool.run(Tool.readelf, args + [path])
        #expect(r.status == 0 && r.err.isEmpty, "llvm-readelf: \(r.err)")
        return r.out
    }

    @Test func sectionHeaders() throws {
        guard let text = try readelf(["-S", "-W"], Fixture.object) else { print("SKIP: llvm-readelf-22 missing"); return }
        let rows = SectionRow.parse(text)
        #expect(rows.map(\.name) == [".text", "xdp", "license", ".maps", ".bss", ".rodata", ".data", ".BTF",
                                     ".relxdp", ".rel.data", ".symtab", ".strtab", ".shstrtab"])
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
        #expect(byName["xdp"]?.flags == "AX" && byName["xdp"]?.type == "PROGBITS")
        #expect(byName[".maps"]?.flags == "WA" && byName["license"]?.flags == "WA")
        #expect(byName[".rodata"]?.flags == "A" && byName[".BTF"]?.flags == "")
        #expect(byName[".bss"]?.type == "NOBITS" && byName[".bss"]?.size == 12)
        let rel = byName[".relxdp"]
        #expect(rel?.type == "REL" && rel?.flags == "I" && rel?.entrySize == 16 && rel?.alignment == 8)
        #expect(rel?.link == byName[".symtab"]?.index && rel?.info == byName["xdp"]?.index)
        #expect(byName[".rel.data"]?.info == byName[".data"]?.index)
        let symtab = byName[".symtab"]
        #expect(symtab?.entrySize == 24 && symtab?.link == byName[".strtab"]?.index)
        // null, section symbols .text/.bss, locals sub/counter, then 5 non-locals.
        #expect(symtab?.info == 5 && symtab?.size == 24 * 10)
    }

    @Test func symbols() throws {
        guard let text = try readelf(["-s", "-W"], Fixture.object) else { print("SKIP: llvm-readelf-22 missing"); return }
        let rows = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .filter { $0.count >= 7 && $0[0].hasSuffix(":") && Int($0[0].dropLast()) != nil }
        // Num: Value Size Type Bind Vis Ndx [Name]
        #expect(rows.count == 10)
        #expect(rows[0][3] == "NOTYPE" && rows[0][6] == "UND")
        #expect(rows[1][3] == "SECTION" && rows[1][6] == "1")            // .text, target of the call
        #expect(rows[2][3] == "SECTION" && rows[2][6] == "5")            // .bss, target of ld_imm64
        #expect(rows[3].last == "sub" && rows[3][4] == "LOCAL" && rows[3][3] == "FUNC")
        #expect(rows[4].last == "counter" && rows[4][1] == "0000000000000008")
        #expect(rows[5].last == "prog" && rows[5][4] == "GLOBAL" && rows[5][2] == "56")
        let kfunc = rows.first { $0.last == "kfunc" }
        #expect(kfunc?[6] == "UND" && kfunc?[4] == "GLOBAL")
        let weak = rows.first { $0.last == "weakling" }
        #expect(weak?[4] == "WEAK" && weak?[5] == "HIDDEN")
        #expect(!rows.contains { $0[3] == "SECTION" && ($0[6] == "2" || $0[6] == "8") })   // unreferenced: none
    }

    @Test func relocations() throws {
        guard let text = try readelf(["-r", "-W"], Fixture.object) else { print("SKIP: llvm-readelf-22 missing"); return }
        let lines = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .filter { $0.count >= 4 && $0[2].hasPrefix("R_BPF") }
        #expect(lines.map { $0[2] } == ["R_BPF_64_64", "R_BPF_64_32", "R_BPF_64_64", "R_BPF_64_ABS64", "R_BPF_64_ABS32"])
        #expect(lines.map { $0.last! } == ["m", ".text", ".bss", "m", "kfunc"])
        #expect(lines[0][1] == "0000000600000001")                          // (symindex << 32) | type
        #expect(lines[1][0] == "0000000000000018" && lines[1][1] == "000000010000000a")
    }

    @Test func disassembly() throws {
        guard Tool.exists(Tool.objdump) else { print("SKIP: llvm-objdump-22 missing"); return }
        let path = Tool.tempFile(try ELFWriter.write(Fixture.object), suffix: ".o")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Tool.run(Tool.objdump, ["-d", "-r", path])
        #expect(r.status == 0 && r.err.isEmpty, "\(r.err)")
        #expect(r.out.contains("r1 = 0x0 ll") && r.out.contains("R_BPF_64_64\tm"))
        #expect(r.out.contains("r0 = 0x2") && r.out.contains("R_BPF_64_32\t.text"))
        #expect(r.out.contains("<prog>:") && r.out.contains("<sub>:"))
    }

    /// Section types, flags, entry sizes and rel conventions as clang-22 -target bpf emits them.
    @Test func sameConventionsAsClang() throws {
        guard Tool.exists(Tool.clang), Tool.exists(Tool.readelf) else { print("SKIP: clang-22 or llvm-readelf-22 missing"); return }
        let src = """
        struct { int type; int max_entries; } m __attribute__((section(".maps"), used));
        int counter; const int ro = 1; int d = 5;
        static __attribute__((noinline)) int sub(int x) { return x + counter; }
        __attribute__((section("xdp"), used)) int prog(void *ctx) { return sub(ro) + d + m.type; }
        char LICENSE[] __attribute__((section("license"), used)) = "GPL";
        """
        let c = Tool.tempFile(Array(src.utf8), suffix: ".c"), o = c + ".o"
        defer { try? FileManager.default.removeItem(atPath: c); try? FileManager.default.removeItem(atPath: o) }
        let cc = try Tool.run(Tool.clang, ["-target", "bpf", "-O2", "-g", "-c", c, "-o", o])
        guard cc.status == 0 else { Issue.record("clang-22 failed: \(cc.err)"); return }
        let ref = SectionRow.parse(try Tool.run(Tool.readelf, ["-S", "-W", o]).out)
        let ours = SectionRow.parse(try readelf(["-S", "-W"], Fixture.object) ?? "")
        let refByName = Dictionary(ref.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var compared = 0
        for s in ours {
            guard let r = refByName[s.name] else { continue }
            compared += 1
            #expect(s.type == r.type && s.flags == r.flags && s.entrySize == r.entrySize, "\(s.name): ours \(s) clang \(r)")
            if s.type == "REL" || s.type == "SYMTAB" || s.type == "PROGBITS" && s.flags.contains("X") {
                #expect(s.alignment == r.alignment, "\(s.name)")
            }
        }
        #expect(compared >= 8, "compared only \(compared) sections")
    }
}
