@testable import BPFELF

enum Fixture {
    /// r1 = m ll; r0 = 2; call sub; exit — in "xdp"; a sub-program in .text; maps, bss, license.
    static var object: ObjectFile {
        let code: [UInt8] = [0x18, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                             0xb7, 0, 0, 0, 2, 0, 0, 0,
                             0x85, 0x10, 0, 0, 0xff, 0xff, 0xff, 0xff,
                             0x18, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                             0x95, 0, 0, 0, 0, 0, 0, 0]
        let text: [UInt8] = [0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]
        return ObjectFile(bigEndian: false, sections: [
            ELFSection(name: ".text", kind: .program, alignment: 8, bytes: text),
            ELFSection(name: "xdp", kind: .program, alignment: 8, bytes: code, relocations: [
                ELFRelocation(offset: 0, symbol: "m", type: .r64),
                ELFRelocation(offset: 24, symbol: ".text", type: .call32),
                ELFRelocation(offset: 32, symbol: ".bss", type: .r64),
            ]),
            ELFSection(name: "license", kind: .data, alignment: 1, bytes: Array("GPL\0".utf8)),
            ELFSection(name: ".maps", kind: .data, alignment: 8, bytes: [UInt8](repeating: 0, count: 32)),
            ELFSection(name: ".bss", kind: .bss, alignment: 8, bytes: [], size: 12),
            ELFSection(name: ".rodata", kind: .readOnlyData, alignment: 4, bytes: [1, 0, 0, 0]),
            ELFSection(name: ".data", kind: .data, alignment: 8, bytes: [UInt8](repeating: 0, count: 16), relocations: [
                ELFRelocation(offset: 0, symbol: "m", type: .abs64),
                ELFRelocation(offset: 8, symbol: "kfunc", type: .abs32),
            ]),
            ELFSection(name: ".BTF", kind: .metadata, alignment: 4, bytes: [0x9f, 0xeb, 1, 0]),
        ], symbols: [
            ELFSymbol(name: "prog", section: "xdp", value: 0, size: 56, binding: .global, type: .function),
            ELFSymbol(name: "m", section: ".maps", value: 0, size: 32, binding: .global, type: .object),
            ELFSymbol(name: "sub", section: ".text", value: 0, size: 16, binding: .local, type: .function),
            ELFSymbol(name: "counter", section: ".bss", value: 8, size: 4, binding: .local, type: .object),
            ELFSymbol(name: "kfunc", section: nil, value: 0, size: 0, binding: .global, type: .notype),
            ELFSymbol(name: "weakling", section: ".data", value: 12, size: 4, binding: .weak, type: .object,
                      hidden: true),
            ELFSymbol(name: "LICENSE", section: "license", value: 0, size: 4, binding: .global, type: .object),
        ])
    }
}
