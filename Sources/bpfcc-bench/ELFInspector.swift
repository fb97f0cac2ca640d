import Foundation

/// Reads what the benchmark needs from a BPF object: instructions of the
/// executable sections, and the deepest stack offset they touch.
struct ELFInspector {
    var instructionCount = 0
    var stackBytes = 0

    init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path), data.count > 64 else { return nil }
        let bytes = [UInt8](data)
        guard bytes[0] == 0x7f, bytes[1] == 0x45, bytes[4] == 2 else { return nil }
        let little = bytes[5] == 1
        func u(_ off: Int, _ n: Int) -> UInt64 {
            guard off + n <= bytes.count else { return 0 }
            var v: UInt64 = 0
            for i in 0..<n { v |= UInt64(bytes[off + (little ? i : n - 1 - i)]) << UInt64(8 * i) }
            return v
        }
        let shoff = Int(u(0x28, 8)), shentsize = Int(u(0x3a, 2)), shnum = Int(u(0x3c, 2))
        for i in 0..<shnum {
            let h = shoff + i * shentsize
            let type = u(h + 4, 4), flags = u(h + 8, 8)
            let off = Int(u(h + 0x18, 8)), size = Int(u(h + 0x20, 8))
            guard type == 1, flags & 0x4 != 0 else { continue }   // PROGBITS + EXECINSTR
            instructionCount += size / 8
            var p = off
            while p + 8 <= off + size && p + 8 <= bytes.count {
                let opcode = bytes[p]
                let regs = bytes[p + 1]
                let dst = little ? regs & 0xf : regs >> 4
                let src = little ? regs >> 4 : regs & 0xf
                let offset = Int(Int16(bitPattern: UInt16(u(p + 2, 2))))
                let cls = opcode & 7
                // LDX uses src as the base, ST/STX use dst.
                if (cls == 1 && src == 10) || ((cls == 2 || cls == 3) && dst == 10), offset < 0 {
                    stackBytes = max(stackBytes, -offset)
                }
                p += opcode == 0x18 ? 16 : 8
            }
        }
    }
}
