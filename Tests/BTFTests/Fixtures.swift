import BPFFrontend

/// A translation unit with a few records and enums for BTF tests.
enum Fixture {
    static let int = CType.int(bytes: 4, signed: true, name: "int")
    static let uint = CType.int(bytes: 4, signed: false, name: "unsigned int")
    static let char = CType.int(bytes: 1, signed: true, name: "char")
    static let u64 = CType.typedef("u64", .int(bytes: 8, signed: false, name: "unsigned long long"))

    static let node = 0, unionU = 1, fwdStruct = 2, fwdUnion = 3, anon = 4
    static let enumE = 0, enumBig = 1

    static var unit: TranslationUnit {
        var u = TranslationUnit(mainFile: "t.c")
        u.records = [
            RecordDecl(name: "node", isUnion: false, isComplete: true, fields: [
                FieldDecl(name: "next", type: .pointer(.record(0)), bitOffset: 0, bitWidth: nil),
                FieldDecl(name: "a", type: uint, bitOffset: 64, bitWidth: 3),
                FieldDecl(name: "b", type: uint, bitOffset: 67, bitWidth: 5),
                FieldDecl(name: "c", type: int, bitOffset: 96, bitWidth: nil),
            ], size: 16, alignment: 8, preserveAccessIndex: false),
            RecordDecl(name: "U", isUnion: true, isComplete: true, fields: [
                FieldDecl(name: "x", type: int, bitOffset: 0, bitWidth: nil),
                FieldDecl(name: "y", type: .array(char, count: 3), bitOffset: 0, bitWidth: nil),
            ], size: 4, alignment: 4, preserveAccessIndex: false),
            RecordDecl(name: "fwdonly", isUnion: false, isComplete: false, fields: [], size: 0, alignment: 1,
                       preserveAccessIndex: false),
            RecordDecl(name: "fwdu", isUnion: true, isComplete: false, fields: [], size: 0, alignment: 1,
                       preserveAccessIndex: false),
            RecordDecl(name: nil, isUnion: false, isComplete: true, fields: [
                FieldDecl(name: "q", type: int, bitOffset: 0, bitWidth: nil),
                FieldDecl(name: nil, type: .record(1), bitOffset: 32, bitWidth: nil),
            ], size: 8, alignment: 4, preserveAccessIndex: false),
        ]
        u.enums = [
            EnumDecl(name: "E", values: [EnumValue(name: "EA", value: 1), EnumValue(name: "EB", value: -2)],
                     size: 4, isSigned: true),
            EnumDecl(name: "Big", values: [EnumValue(name: "BIG", value: 0x1_0000_0000)],
                     size: 8, isSigned: false),
        ]
        return u
    }
}
