import Testing
@testable import BPFFrontend

@Suite struct InitializerTests {
    static let decls = """
    struct pt { int x, y; };
    struct box { struct pt a, b; char tag[4]; long n; };
    union u { int i; char c[4]; };
    struct anon { int k; struct { int p, q; }; union { long r; int s; }; };
    """

    @Test func braceElisionAndConversions() throws {
        let tu = try parseC(Self.decls + """
        long la[3] = { 1, 2 };
        struct box b1 = { 1, 2, 3, 4, "ab", 9 };
        struct pt pts[2][2] = { 1, 2, 3, 4, 5 };
        char strs[2][4] = { "ab", "cd" };
        """)
        #expect(tu.initDump("la") == "{0=(icast 1:int):long, 1=(icast 2:int):long}")
        #expect(tu.initDump("b1") == #"{0={0=1:int, 1=2:int}, 1={0=3:int, 1=4:int}, 2="ab\x0\x0":char[4], 3=(icast 9:int):long}"#)
        #expect(tu.initDump("pts") == "{0={0={0=1:int, 1=2:int}, 1={0=3:int, 1=4:int}}, 1={0={0=5:int}}}")
        #expect(tu.initDump("strs") == #"{0="ab\x0\x0":char[4], 1="cd\x0\x0":char[4]}"#)
    }

    @Test func designators() throws {
        let tu = try parseC(Self.decls + """
        struct box b2 = { .b.y = 7, .a = { 1 }, .tag = "x", 5 };
        struct box b3 = { {1, 2}, .b = {3}, {'a', 'b'} };
        int arr[] = { [2] = 5, 6, [0] = 1 };
        int rng[6] = { [1 ... 3] = 8, 9 };
        """)
        #expect(tu.initDump("b2") == #"{1={1=7:int}, 0={0=1:int}, 2="x\x0\x0\x0":char[4], 3=(icast 5:int):long}"#)
        #expect(tu.initDump("b3") == "{0={0=1:int, 1=2:int}, 1={0=3:int}, 2={0=(icast 97:int):char, 1=(icast 98:int):char}}")
        #expect(tu.global("arr")?.type == .array(.int(bytes: 4, signed: true, name: "int"), count: 4))
        #expect(tu.initDump("arr") == "{2=5:int, 3=6:int, 0=1:int}")
        #expect(tu.initDump("rng") == "{1=8:int, 2=8:int, 3=8:int, 4=9:int}")
    }

    @Test func unionsAndAnonymousMembers() throws {
        let tu = try parseC(Self.decls + """
        union u u1 = { .c = "ab" };
        union u u2 = { 3 };
        struct anon an = { 1, 2, 3, .s = 4 };
        struct anon an2 = { .q = 5, .r = 6 };
        """)
        #expect(tu.initDump("u1") == #"{1="ab\x0\x0":char[4]}"#)
        #expect(tu.initDump("u2") == "{0=3:int}")
        #expect(tu.initDump("an") == "{0=1:int, 1={0=2:int, 1=3:int}, 2={1=4:int}}")
        #expect(tu.initDump("an2") == "{1={1=5:int}, 2={0=(icast 6:int):long}}")
    }

    @Test func localInitializers() throws {
        let tu = try parseC(Self.decls + """
        int f(struct pt p) { struct pt q = p; struct pt z = {}; int lit[2] = {0}; unsigned char bytes[3] = { 300 & 255, -1 }; char s3[3] = "abc"; return 0; }
        """)
        #expect(Array(tu.bodyDump("f").prefix(5)) == [
            "decl(local1 q:struct pt = local0:struct pt);",
            "decl(local2 z:struct pt = {});",
            "decl(local3 lit:int[2] = {0=0:int});",
            "decl(local4 bytes:unsigned char[3] = {0=(icast 44:int):unsigned char, 1=(icast -1:int):unsigned char});",
            #"decl(local5 s3:char[3] = "abc":char[3]);"#,
        ])
    }
}
