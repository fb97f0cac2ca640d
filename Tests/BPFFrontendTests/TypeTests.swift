import Testing
@testable import BPFFrontend

@Suite struct TypeTests {
    @Test func integerKindsKeepTheirCSpelling() throws {
        let tu = try parseC("""
        char c; signed char sc; unsigned char uc; short s; unsigned short us; int i; unsigned u;
        long l; unsigned long ul; long long ll; unsigned long long ull; _Bool b;
        """)
        let expected: [(String, CType)] = [
            ("c", .int(bytes: 1, signed: true, name: "char")),   // char is signed on the bpf target
            ("sc", .int(bytes: 1, signed: true, name: "signed char")),
            ("uc", .int(bytes: 1, signed: false, name: "unsigned char")),
            ("s", .int(bytes: 2, signed: true, name: "short")),
            ("us", .int(bytes: 2, signed: false, name: "unsigned short")),
            ("i", .int(bytes: 4, signed: true, name: "int")),
            ("u", .int(bytes: 4, signed: false, name: "unsigned int")),
            ("l", .int(bytes: 8, signed: true, name: "long")),
            ("ul", .int(bytes: 8, signed: false, name: "unsigned long")),
            ("ll", .int(bytes: 8, signed: true, name: "long long")),
            ("ull", .int(bytes: 8, signed: false, name: "unsigned long long")),
            ("b", .bool),
        ]
        for (name, type) in expected { #expect(tu.global(name)?.type == type, "\(name)") }
    }

    @Test func typedefsQualifiersPointersArrays() throws {
        let tu = try parseC("""
        typedef unsigned int u32;
        typedef const u32 cu32;
        cu32 a;
        const volatile int cv;
        int * restrict rp;
        const char * const cp;
        int m[2][3];
        int z[0];
        extern int inc[];
        int (*fp)(int, ...);
        int noproto();
        """)
        #expect(tu.global("a")?.type == .typedef("cu32", .const(.typedef("u32", .int(bytes: 4, signed: false, name: "unsigned int")))))
        #expect(tu.typeDump(tu.global("cv")!.type) == "int volatile const")
        #expect(tu.typeDump(tu.global("rp")!.type) == "int * restrict")
        #expect(tu.typeDump(tu.global("cp")!.type) == "char const * const")
        #expect(tu.global("m")?.type == .array(.array(.int(bytes: 4, signed: true, name: "int"), count: 3), count: 2))
        #expect(tu.global("z")?.type == .array(.int(bytes: 4, signed: true, name: "int"), count: 0))
        #expect(tu.global("inc")?.type == .array(.int(bytes: 4, signed: true, name: "int"), count: nil))
        guard case .pointer(.function(let ft))? = tu.global("fp")?.type else { Issue.record("function pointer expected"); return }
        #expect(ft.isVariadic && ft.hasPrototype && ft.parameters.count == 1)
        #expect(tu.function("noproto")?.type.hasPrototype == false)
    }

    @Test func recordLayoutBitfieldsAndRecursion() throws {
        let tu = try parseC("""
        struct list { struct list *next; int v; };
        struct bits { unsigned a:3, b:5; int :0; char c; long tail[]; };
        union u { int i; char c[6]; };
        struct list l; struct bits b; union u un;
        """)
        let list = try #require(tu.record("list"))
        #expect(list.size == 16 && list.alignment == 8 && list.isComplete && !list.isUnion)
        #expect(list.fields.map(\.name) == ["next", "v"])
        #expect(list.fields.map(\.bitOffset) == [0, 64])
        #expect(tu.typeDump(list.fields[0].type) == "struct list *")
        let bits = try #require(tu.record("bits"))
        #expect(bits.fields.map(\.bitWidth) == [3, 5, 0, nil, nil])
        #expect(bits.fields.map(\.bitOffset) == [0, 3, 32, 32, 64])
        #expect(bits.fields[2].name == nil)
        let u = try #require(tu.record("u"))
        #expect(u.isUnion && u.size == 8 && u.alignment == 4 && u.fields.map(\.bitOffset) == [0, 0])
    }

    @Test func anonymousMembersAreDistinctRecords() throws {
        let tu = try parseC("""
        struct a { union { int x; }; union { long y; }; struct { int q; } n1, n2; };
        struct a v;
        """)
        let a = try #require(tu.record("a"))
        #expect(a.fields.map(\.name) == [nil, nil, "n1", "n2"])
        guard case .record(let u1) = a.fields[0].type, case .record(let u2) = a.fields[1].type,
              case .record(let s1) = a.fields[2].type, case .record(let s2) = a.fields[3].type else {
            Issue.record("records expected"); return
        }
        #expect(u1 != u2)           // two anonymous unions are two types
        #expect(s1 == s2)           // one anonymous struct type shared by two fields
        #expect(tu.records[u2].fields.first?.name == "y")
        #expect(tu.records[u1].name == nil)
    }

    @Test func enumsValuesSizeSignedness() throws {
        let tu = try parseC("""
        enum big { BIG = 0x100000000UL };
        enum neg { N = -1, P = 1 };
        enum big eb; enum neg en;
        """)
        #expect(tu.enums.count == 2)
        let big = try #require(tu.enums.first { $0.name == "big" })
        #expect(big.size == 8 && !big.isSigned && big.values == [EnumValue(name: "BIG", value: 0x1_0000_0000)])
        let neg = try #require(tu.enums.first { $0.name == "neg" })
        #expect(neg.size == 4 && neg.isSigned && neg.values.map(\.value) == [-1, 1])
    }

    @Test func preserveAccessIndexAttributeAndPragma() throws {
        let tu = try parseC("""
        struct __attribute__((preserve_access_index)) task { int pid; };
        #pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
        struct inpragma { int a; };
        #pragma clang attribute pop
        struct plain { int a; };
        struct task t; struct inpragma ip; struct plain p;
        """)
        #expect(tu.record("task")?.preserveAccessIndex == true)
        #expect(tu.record("inpragma")?.preserveAccessIndex == true)
        #expect(tu.record("plain")?.preserveAccessIndex == false)
    }

    @Test func btfTypeTagsNestInOrder() throws {
        let tu = try parseC("""
        #define __tag(x) __attribute__((btf_type_tag(x)))
        int __tag("user") *up;
        struct s { int __tag("rcu") * __tag("percpu") p; } sv;
        """)
        let int = CType.int(bytes: 4, signed: true, name: "int")
        #expect(tu.global("up")?.type == .pointer(.typeTag("user", int)))
        #expect(tu.record("s")?.fields.first?.type == .typeTag("percpu", .pointer(.typeTag("rcu", int))))
    }

    @Test func mapDefinitionPointerToArrayFieldsAndTypeof() throws {
        let tu = try parseC("""
        typedef int pid_t;
        struct { int (*type)[1]; int (*max_entries)[16]; pid_t *key; } m __attribute__((section(".maps")));
        typeof(pid_t) t1;
        float f;
        """)
        let m = try #require(tu.global("m"))
        #expect(m.attributes.section == ".maps")
        guard case .record(let id) = m.type else { Issue.record("record expected"); return }
        #expect(tu.records[id].name == nil)
        #expect(tu.records[id].fields.map { tu.typeDump($0.type) } == ["int[1] *", "int[16] *", "pid_t *"])
        #expect(tu.global("t1")?.type == .typedef("pid_t", .int(bytes: 4, signed: true, name: "int")))
        #expect(tu.global("f")?.type == .float(bytes: 4))
    }
}
