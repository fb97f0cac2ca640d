import Testing
import Foundation
@testable import BPFELF

@Suite struct ELFWriterTests {
    func object() -> ObjectFile {
        let code: [UInt8] = [0x18, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   // r1 = map ll
                             0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]
        return ObjectFile(bigEndian: false, sections: [
            ELFSection(name: "xdp", kind: .program, alignment: 8, bytes: code,
                       relocations: [ELFRelocation(offset: 0, symbol: "m", type: .r64)]),
            ELFSection(name: ".maps", kind: .data, alignment: 8, bytes: [UInt8](repeating: 0, count: 16)),
            ELFSection(name: ".bss", kind: .bss, alignment: 4, bytes: [], size: 8),
            ELFSection(name: "license", kind: .data, alignment: 1, bytes: Array("GPL\0".utf8)),
        ], symbols: [
            ELFSymbol(name: "prog", section: "xdp", value: 0, size: 24, binding: .global, type: .function),
            ELFSymbol(name: "m", section: ".maps", value: 0, size: 16, binding: .global, type: .object),
            ELFSymbol(name: "counter", section: ".bss", value: 0, size: 8, binding: .local, type: .object),
        ])
    }

    @Test func headerFields() throws {
        let b = try ELFWriter.write(object())
        #expect(Array(b[0..<4]) == [0x7f, 0x45, 0x4c, 0x46])
        #expect(b[4] == 2 && b[5] == 1)                       // ELF64, little endian
        #expect(UInt16(b[16]) | UInt16(b[17]) << 8 == 1)      // ET_REL
        #expect(UInt16(b[18]) | UInt16(b[19]) << 8 == 247)    // EM_BPF
    }

    @Test func unknownSymbolIsAnError() {
        var o = object()
        o.sections[0].relocations.append(ELFRelocation(offset: 8, symbol: "nope", type: .r64))
        #expect(throws: ELFWriterError.self) { try ELFWriter.write(o) }
    }

    @Test func readableByLLVM() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/llvm-readelf-22") else {
            print("SKIP: llvm-readelf-22 is not installed"); return
        }
        let path = NSTemporaryDirectory() + "elf-\(UUID().uuidString).o"
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data(try ELFWriter.write(object())))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/llvm-readelf-22")
        p.arguments = ["-S", "-r", "-s", path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run(); p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0)
        #expect(errText.isEmpty, "llvm-readelf complained: \(errText)")
        #expect(text.contains("R_BPF_64_64"))
        #expect(text.contains(".relxdp"))
        #expect(text.contains("NOBITS"))
        #expect(text.contains("GLOBAL DEFAULT") && text.contains(" prog"))
    }
}
