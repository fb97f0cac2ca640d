import Testing
@testable import BTF
import BPFFrontend
typealias K = BTFKindNumber

@Suite struct BTFTypeEncodingTests {
    @Test func header() {
        var b = BTFBuilder(unit: Fixture.unit)
        _ = b.typeID(of: Fixture.int)
        let (btf, ext) = b.encode(bigEndian: false)
        let r = ByteReader(bytes: btf, bigEndian: false)
        #expect(r.u16(0) == 0xeB9F && btf[2] == 1 && btf[3] == 0)
        #expect(r.u32(4) == 24 && r.u32(8) == 0 && r.u32(12) == 16)       // hdr_len, type_off, type_len
        #expect(r.u32(16) == 16 && Int(r.u32(20)) == btf.count - 24 - 16) // str_off, str_len
        #expect(btf[24 + 16] == 0)                                          // strings start with ""
        #expect(btf.last == 0)
        #expect(ext.isEmpty)
    }

    @Test func bigEndianHeader() {
        var b = BTFBuilder(unit: Fixture.unit)
        _ = b.typeID(of: Fixture.int)
        let (btf, _) = b.encode(bigEndian: true)
        #expect(Array(btf[0..<4]) == [0xeb, 0x9f, 1, 0])
        let d = DecodedBTF(btf, bigEndian: true)
        #expect(d[1].name == "int" && d[1].extra == [1 << 24 | 32])
    }

    @Test func integersFollowClangNames() {
        var b = BTFBuilder(unit: Fixture.unit)
        let i = b.typeID(of: Fixture.int)
        let u = b.typeID(of: Fixture.uint)
        let c = b.typeID(of: Fixture.char)
        let bo = b.typeID(of: .bool)
        let w = b.typeID(of: .int(bytes: 16, signed: false, name: "unsigned __int128"))
        let d = DecodedBTF(b.encode(bigEndian: false).btf)
        #expect(d[i] == DecodedType(name: "int", kind: K.int, vlen: 0, kindFlag: false, sizeOrType: 4, extra: [1 << 24 | 32]))
        #expect(d[u].extra == [32] && d[u].name == "unsigned int")
        #expect(d[c].name == "char" && d[c].sizeOrType == 1 && d[c].extra == [1 << 24 | 8])   // clang: char is SIGNED
        #expect(d[bo].name == "_Bool" && d[bo].extra == [4 << 24 | 8])                       // BOOL encoding
        #expect(d[w].sizeOrType == 16 && d[w].extra == [128])
    }

    @Test func pointersArraysQualifiers() {
        var b = BTFBuilder(unit: Fixture.unit)
        let p = b.typeID(of: .pointer(.void))
        let a = b.typeID(of: .array(.array(Fixture.int, count: 3), count: 2))
        let flex = b.typeID(of: .array(Fixture.char, count: nil))
        let cv = b.typeID(of: .const(.volatile(Fixture.int)))
        let r = b.typeID(of: .restrict(.pointer(Fixture.int)))
        let tag = b.typeID(of: .pointer(.typeTag("user", Fixture.int)))
        let td = b.typeID(of: Fixture.u64)
        let d = DecodedBTF(b.encode(bigEndian: false).btf)
        #expect(d[p].kind == K.ptr && d[p].sizeOrType == 0 && d[p].name == "")
        #expect(d[a].kind == K.array && d[a].extra[2] == 2)
        let inner = Int(d[a].extra[0])
        #expect(d[inner].kind == K.array && d[inner].extra[2] == 3)
        let index = Int(d[a].extra[1])
        #expect(d[index].name == "__ARRAY_SIZE_TYPE__" && d[index].extra == [32] && d[index].sizeOrType == 4)
        #expect(d[inner].extra[1] == d[a].extra[1] && d[flex].extra[1] == d[a].extra[1])   // one index type
        #expect(d[flex].extra[2] == 0)
        #expect(d[cv].kind == K.const && d[Int(d[cv].sizeOrType)].kind == K.volatile)
        #expect(d[r].kind == K.restrict && d[Int(d[r].sizeOrType)].kind == K.ptr)
        let t = Int(d[tag].sizeOrType)
        #expect(d[t].kind == K.typeTag && d[t].name == "user")
        #expect(d[td].kind == K.typedef && d[td].name == "u64" && d[Int(d[td].sizeOrType)].name == "unsigned long long")
    }

    @Test func recordsWithBitfields() {
        var b = BTFBuilder(unit: Fixture.unit)
        let n = b.typeID(of: .record(Fixture.node))
        let u = b.typeID(of: .record(Fixture.unionU))
        let an = b.typeID(of: .record(Fixture.anon))
        let d = DecodedBTF(b.encode(bigEndian: false).btf)
        let s = d[n]
        #expect(s.kind == K.structure && s.kindFlag && s.vlen == 4 && s.sizeOrType == 16 && s.name == "node")
        #expect(d.string(at: Int(s.extra[0])) == "next" && d[Int(s.extra[1])].kind == K.ptr)
        #expect(d[Int(s.extra[1])].sizeOrType == UInt32(n))                  // next points back at node
        #expect(s.extra[5] == 3 << 24 | 64 && s.extra[8] == 5 << 24 | 67)    // bitfield size in the high byte
        #expect(s.extra[11] == 96)
        #expect(d[u].kind == K.union && !d[u].kindFlag && d[u].extra[2] == 0 && d[u].extra[5] == 0)
        #expect(d[an].name == "" && d[an].extra[3] == 0 && d[an].extra[5] == 32)  // anonymous member
        #expect(d[an].extra[4] == UInt32(u))
    }

    @Test func forwardDeclarations() {
        var b = BTFBuilder(unit: Fixture.unit)
        let s = b.typeID(of: .record(Fixture.fwdStruct))
        let u = b.typeID(of: .record(Fixture.fwdUnion))
        let d = DecodedBTF(b.encode(bigEndian: false).btf)
        #expect(d[s].kind == K.fwd && !d[s].kindFlag && d[s].name == "fwdonly")
        #expect(d[u].kind == K.fwd && d[u].kindFlag && d[u].name == "fwdu")
    }

    @Test func enums() {
        var b = BTFBuilder(unit: Fixture.unit)
        let e = b.typeID(of: .enumeration(Fixture.enumE))
        let big = b.typeID(of: .enumeration(Fixture.enumBig))
        let d = DecodedBTF(b.encode(bigEndian: false).btf)
        #expect(d[e].kind == K.enumeration && d[e].kindFlag && d[e].sizeOrType == 4 && d[e].vlen == 2)
        #expect(d.string(at: Int(d[e].extra[0])) == "EA" && d[e].extra[1] == 1 && d[e].extra[3] == UInt32(bitPattern: -2))
        #expect(d[big].kind == K.enum64 && !d[big].kindFlag && d[big].sizeOrType == 8)
        #expect(d[big].extra == [d[big].extra[0], 0, 1])                   // lo32 0, hi32 1
    }

    @Test func functionPrototypesAndFloats() {
        var b = BTFBuilder(unit: Fixture.unit)
        let fp = b.typeID(of: .pointer(.function(FunctionType(returnType: Fixture.int, parameters: [Fixture.int, Fixture.char],
                                                               isVariadic: true))))
        let f = b.typeID(of: .float(bytes: 4)), db = b.typeID(of: .float(bytes: 8))
        let d = DecodedBTF(b.encode(bigEndian: false).btf)
        let proto = d[Int(d[fp].sizeOrType)]
        #expect(proto.kind == K.functionProto && proto.vlen == 3 && proto.name == "")
        #expect(proto.extra[0] == 0 && proto.extra[4] == 0 && proto.extra[5] == 0)   // unnamed, then "..."
        #expect(d[f].kind == K.float && d[f].name == "float" && d[f].sizeOrType == 4)
        #expect(d[db].name == "double" && d[db].sizeOrType == 8)
    }

    @Test func functionsDeclTagsAndDataSections() {
        var b = BTFBuilder(unit: Fixture.unit)
        let ft = FunctionType(returnType: Fixture.int, parameters: [.pointer(.void), Fixture.int], isVariadic: false)
        let f = b.addFunction(name: "prog", type: ft, parameterNames: ["ctx", ""], linkage: .global)
        let again = b.addFunction(name: "prog", type: ft, parameterNames: ["ctx", ""], linkage: .global)
        let s = b.addFunction(name: "helper", type: ft, parameterNames: ["a", "b"], linkage: .static)
        b.addDeclTag("tag1", to: f, component: -1)
        b.addDeclTag("tag2", to: f, component: 1)
        let ds = b.addDataSection(name: ".data", size: 16, variables: [
            BTFVariable(name: "late", type: Fixture.u64, offset: 8, size: 8, linkage: .global),
            BTFVariable(name: "prog.cnt", type: Fixture.int, offset: 0, size: 4, linkage: .static),
        ])
        let d = DecodedBTF(b.encode(bigEndian: false).btf)
        #expect(f == again)
        #expect(d[f].kind == K.function && d[f].name == "prog" && d[f].vlen == 1)
        #expect(d[s].vlen == 0)
        let proto = d[Int(d[f].sizeOrType)]
        #expect(proto.kind == K.functionProto && d.string(at: Int(proto.extra[0])) == "ctx")
        #expect(d.string(at: Int(proto.extra[2])) == "arg1")     // the kernel needs every FUNC parameter named
        let tags = d.types.filter { $0.kind == K.declTag }
        #expect(tags.map(\.name) == ["tag1", "tag2"])
        #expect(tags.map(\.extra) == [[UInt32.max], [1]] && tags.allSatisfy { $0.sizeOrType == UInt32(f) })
        let sec = d[ds]
        #expect(sec.kind == K.dataSection && sec.name == ".data" && sec.sizeOrType == 16 && sec.vlen == 2)
        #expect(sec.extra[1] == 0 && sec.extra[2] == 4 && sec.extra[4] == 8 && sec.extra[5] == 8)   // sorted by offset
        let v0 = d[Int(sec.extra[0])], v1 = d[Int(sec.extra[3])]
        #expect(v0.kind == K.variable && v0.name == "prog.cnt" && v0.extra == [0])
        #expect(v1.name == "late" && v1.extra == [1])
    }

    @Test func externsInKsymsAndKconfig() {
        var b = BTFBuilder(unit: Fixture.unit)
        let kft = FunctionType(returnType: Fixture.int, parameters: [Fixture.int, .pointer(.record(Fixture.node))],
                               isVariadic: false)
        let kf = b.addFunction(name: "bpf_kfunc_x", type: kft, parameterNames: ["a", ""], linkage: .extern)
        let ks = b.addDataSection(name: ".ksyms", size: 0, variables: [
            BTFVariable(name: "bpf_kfunc_x", type: .function(kft), offset: 0, size: 0, linkage: .extern),
            BTFVariable(name: "bpf_other", type: .function(kft), offset: 0, size: 0, linkage: .extern),
        ])
        let kc = b.addDataSection(name: ".kconfig", size: 0, variables: [
            BTFVariable(name: "LINUX_KERNEL_VERSION", type: Fixture.int, offset: 0, size: 4, linkage: .extern),
        ])
        let d = DecodedBTF(b.encode(bigEndian: false).btf)
        #expect(d[kf].vlen == 2)                                          // extern linkage
        let proto = d[Int(d[kf].sizeOrType)]
        #expect(proto.extra[2] == 0)                                      // extern keeps an unnamed parameter unnamed
        #expect(d[ks].extra[0] == UInt32(kf) && d[ks].extra[2] == 0)     // the FUNC itself, size 0
        let other = d[Int(d[ks].extra[3])]
        #expect(other.kind == K.function && other.name == "bpf_other" && other.vlen == 2)
        let v = d[Int(d[kc].extra[0])]
        #expect(v.kind == K.variable && v.extra == [2] && d[kc].extra[2] == 4)
    }

    @Test func dedupeAndRecursion() {
        var b = BTFBuilder(unit: Fixture.unit)
        let a = b.typeID(of: .pointer(.record(Fixture.node)))
        let count = b.typeCount
        #expect(b.typeID(of: .pointer(.record(Fixture.node))) == a)
        #expect(b.typeID(of: .record(Fixture.node)) != a)
        #expect(b.typeCount == count)                                     // node was added while visiting the pointer
        _ = b.typeID(of: Fixture.uint)
        #expect(b.typeCount == count)                                     // unsigned int already there (member a)
        let t1 = b.typeID(of: .typedef("a_t", Fixture.int)), t2 = b.typeID(of: .typedef("b_t", Fixture.int))
        #expect(t1 != t2 && b.typeID(of: .typedef("a_t", Fixture.int)) == t1)
        // A record that reaches itself through a typedef'd pointer.
        var unit = TranslationUnit(mainFile: "r.c")
        unit.records = [RecordDecl(name: "list", isUnion: false, isComplete: true, fields: [
            FieldDecl(name: "self", type: .pointer(.typedef("list_t", .record(0))), bitOffset: 0, bitWidth: nil),
        ], size: 8, alignment: 8, preserveAccessIndex: false)]
        var rb = BTFBuilder(unit: unit)
        let l = rb.typeID(of: .typedef("list_t", .record(0)))
        let d = DecodedBTF(rb.encode(bigEndian: false).btf)
        #expect(d.types.count == 3)                                       // typedef, struct, pointer
        let s = Int(d[l].sizeOrType)
        #expect(d[s].kind == K.structure && d[Int(d[s].extra[1])].sizeOrType == UInt32(l))
    }

    /// clang's rule: a named record reached through a pointer inside a member is a FWD
    /// unless something else needs it whole; embedded records, array elements and
    /// roots are whole; map definitions make their pointees (key, value) whole.
    @Test func recordsBehindMemberPointersAreForwardUnlessNeeded() {
        var unit = TranslationUnit(mainFile: "p.c")
        func rec(_ name: String, _ fields: [FieldDecl], size: Int) -> RecordDecl {
            RecordDecl(name: name, isUnion: false, isComplete: true, fields: fields, size: size, alignment: 8,
                       preserveAccessIndex: false)
        }
        let i32 = CType.int(bytes: 4, signed: true, name: "int")
        unit.records = [
            rec("outer", [FieldDecl(name: "far", type: .pointer(.record(1)), bitOffset: 0, bitWidth: nil),
                          FieldDecl(name: "in", type: .record(2), bitOffset: 64, bitWidth: nil),
                          FieldDecl(name: "via", type: .pointer(.typedef("far_t", .record(3))), bitOffset: 128, bitWidth: nil)],
                size: 24),
            rec("far", [FieldDecl(name: "x", type: i32, bitOffset: 0, bitWidth: nil)], size: 4),
            rec("inner", [FieldDecl(name: "y", type: i32, bitOffset: 0, bitWidth: nil)], size: 4),
            rec("far2", [FieldDecl(name: "z", type: i32, bitOffset: 0, bitWidth: nil)], size: 4),
            rec("mapdef", [FieldDecl(name: "key", type: .pointer(.record(1)), bitOffset: 0, bitWidth: nil)], size: 8),
        ]
        func kinds(_ d: DecodedBTF) -> [String: UInt32] {
            var m: [String: UInt32] = [:]
            for t in d.types where !t.name.isEmpty { m[t.name] = t.kind }
            return m
        }
        var b = BTFBuilder(unit: unit)
        _ = b.typeID(of: .pointer(.record(0)))          // a function parameter `struct outer *`
        var k = kinds(DecodedBTF(b.encode(bigEndian: false).btf))
        #expect(k["outer"] == K.structure && k["inner"] == K.structure)
        #expect(k["far"] == K.fwd && k["far2"] == K.fwd && k["far_t"] == K.typedef)
        // The same pointer type met again from a root: its record is written whole and the
        // member's pointer then points at it.
        _ = b.typeID(of: .pointer(.record(1)))
        let d = DecodedBTF(b.encode(bigEndian: false).btf)
        k = kinds(d)
        #expect(k["far"] == K.structure && k["far2"] == K.fwd)
        #expect(!d.types.contains { $0.kind == K.fwd && $0.name == "far" })
        // A map definition in .maps: its key pointee is whole.
        var m = BTFBuilder(unit: unit)
        m.addDataSection(name: ".maps", size: 8, variables: [BTFVariable(name: "m", type: .record(4), offset: 0, size: 8, linkage: .global)])
        #expect(kinds(DecodedBTF(m.encode(bigEndian: false).btf))["far"] == K.structure)
    }

    @Test func invalidIndicesDoNotCrash() {
        var b = BTFBuilder(unit: Fixture.unit)
        #expect(b.typeID(of: .record(99)) == 0)
        #expect(b.typeID(of: .enumeration(-1)) == 0)
        #expect(b.typeID(of: .void) == 0)
    }
}

@Suite struct BTFPaddingBitfieldTests {
    @Test func unnamedBitfieldsAreNotMembers() {
        var unit = TranslationUnit(mainFile: "p.c")
        unit.records = [
            RecordDecl(name: "padded", isUnion: false, isComplete: true, fields: [
                FieldDecl(name: "x", type: Fixture.int, bitOffset: 0, bitWidth: nil),
                FieldDecl(name: nil, type: .int(bytes: 8, signed: true, name: "long"), bitOffset: 64, bitWidth: 64),
                FieldDecl(name: "y", type: Fixture.int, bitOffset: 128, bitWidth: nil),
            ], size: 24, alignment: 8, preserveAccessIndex: false),
            RecordDecl(name: "mixed", isUnion: false, isComplete: true, fields: [
                FieldDecl(name: "f", type: Fixture.uint, bitOffset: 0, bitWidth: 4),
                FieldDecl(name: nil, type: Fixture.uint, bitOffset: 4, bitWidth: 4),
                FieldDecl(name: "g", type: Fixture.uint, bitOffset: 8, bitWidth: 2),
            ], size: 4, alignment: 4, preserveAccessIndex: false),
        ]
        var b = BTFBuilder(unit: unit)
        let p = b.typeID(of: .record(0)), m = b.typeID(of: .record(1))
        let d = DecodedBTF(b.encode(bigEndian: false).btf)
        #expect(d[p].vlen == 2 && !d[p].kindFlag && d[p].extra[5] == 128)   // only padding: no kind_flag
        #expect(d[m].vlen == 2 && d[m].kindFlag && d[m].extra[5] == 2 << 24 | 8)
    }
}
