// A small independent reader of .BTF and .BTF.ext bytes for assertions.

struct DecodedType: Equatable {
    var name: String
    var kind: UInt32
    var vlen: Int
    var kindFlag: Bool
    var sizeOrType: UInt32
    var extra: [UInt32]
}

struct ByteReader {
    let bytes: [UInt8]
    let bigEndian: Bool
    func u16(_ o: Int) -> UInt16 {
        bigEndian ? UInt16(bytes[o]) << 8 | UInt16(bytes[o + 1]) : UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8
    }
    func u32(_ o: Int) -> UInt32 {
        let b = (0..<4).map { UInt32(bytes[o + $0]) }
        return bigEndian ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24
    }
}

struct DecodedBTF {
    var types: [DecodedType] = []          // index 0 is id 1
    var strings: [UInt8] = []
    var headerLength: UInt32 = 0

    init(_ bytes: [UInt8], bigEndian: Bool = false) {
        let r = ByteReader(bytes: bytes, bigEndian: bigEndian)
        precondition(r.u16(0) == 0xeB9F, "bad BTF magic")
        headerLength = r.u32(4)
        let typeOff = Int(headerLength + r.u32(8)), typeLen = Int(r.u32(12))
        let strOff = Int(headerLength + r.u32(16)), strLen = Int(r.u32(20))
        strings = Array(bytes[strOff..<strOff + strLen])
        var o = typeOff
        while o < typeOff + typeLen {
            let nameOff = Int(r.u32(o)), info = r.u32(o + 4), st = r.u32(o + 8)
            let kind = (info >> 24) & 0x1f, vlen = Int(info & 0xffff)
            let words: Int
            switch kind {
            case 1: words = 1
            case 3: words = 3
            case 4, 5: words = 3 * vlen
            case 6: words = 2 * vlen
            case 13: words = 2 * vlen
            case 14: words = 1
            case 15: words = 3 * vlen
            case 17: words = 1
            case 19: words = 3 * vlen
            default: words = 0
            }
            let extra = (0..<words).map { r.u32(o + 12 + 4 * $0) }
            types.append(DecodedType(name: string(at: nameOff), kind: kind, vlen: vlen, kindFlag: info >> 31 == 1,
                                     sizeOrType: st, extra: extra))
            o += 12 + 4 * words
        }
    }

    func string(at offset: Int) -> String {
        guard offset < strings.count else { return "<bad \(offset)>" }
        let end = strings[offset...].firstIndex(of: 0) ?? strings.count
        return String(decoding: strings[offset..<end], as: UTF8.self)
    }

    subscript(id: Int) -> DecodedType { types[id - 1] }
}

enum BTFKindNumber {
    static let int: UInt32 = 1, ptr: UInt32 = 2, array: UInt32 = 3, structure: UInt32 = 4, union: UInt32 = 5
    static let enumeration: UInt32 = 6, fwd: UInt32 = 7, typedef: UInt32 = 8, volatile: UInt32 = 9, const: UInt32 = 10
    static let restrict: UInt32 = 11, function: UInt32 = 12, functionProto: UInt32 = 13, variable: UInt32 = 14
    static let dataSection: UInt32 = 15, float: UInt32 = 16, declTag: UInt32 = 17, typeTag: UInt32 = 18, enum64: UInt32 = 19
}
