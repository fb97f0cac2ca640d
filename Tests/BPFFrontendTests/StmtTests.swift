import Testing
@testable import BPFFrontend

@Suite struct StmtTests {
    @Test func controlFlowStatements() throws {
        let tu = try parseC("""
        int f(unsigned char k, long long v) {
          switch (k) { case 1: return 2; case 'a' ... 'c': break; default: ; }
          do { v--; } while (v > 0);
          while (v < 10) { if (v == 5) continue; else v++; }
          for (int i = 0; i < 3; i++) v += i;
          goto out;
        out:
          return 0;
        }
        """)
        #expect(tu.bodyDump("f") == [
            "switch (icast local0:unsigned char):int { case 1: return 2:int; case 97 ... 99: break; default: ; }",
            "do { (postDec local1:long long):long long; } while (gt local1:long long (icast 0:int):long long):int;",
            "while (lt local1:long long (icast 10:int):long long):int { if (eq local1:long long (icast 5:int):long long):int continue; else (postInc local1:long long):long long; }",
            "for (decl(local2 i:int = 0:int);; (lt local2:int 3:int):int; (postInc local2:int):int) (addAssign local1:long long (icast local2:int):long long):long long;",
            "goto out;",
            "out: return 0:int;",
        ])
    }

    /// Loops written by macros (xdp-tools' IN_SET): the parts of the header are found in
    /// the macro definition, also when some are missing or come from macro arguments.
    @Test func forLoopsFromMacros() throws {
        let tu = try parseC("""
        #define COUNT(n) ({ int s = 0; for (int i = 0; i < (n); i++) s += i; s; })
        #define SPIN(v) for (;; (v)++) if ((v) > 3) break
        #define FROM(v) for ((v) = 1; (v) < 4;) (v) *= 2
        #define FOR(a, b, c) for (a; b; c)
        int f(int x) {
          int t = COUNT(x);
          SPIN(x);
          FROM(t);
          FOR(int j = 0, j < 2, j++) t++;
          return t;
        }
        """)
        #expect(tu.bodyDump("f") == [
            "decl(local1 t:int = ({ decl(local2 s:int = 0:int); for (decl(local3 i:int = 0:int);; (lt local3:int local0:int):int; (postInc local3:int):int) (addAssign local2:int local3:int):int; local2:int; }):int);",
            "for (; ; (postInc local0:int):int) if (gt local0:int 3:int):int break;",
            "for ((assign local1:int 1:int):int;; (lt local1:int 4:int):int; ) (mulAssign local1:int 2:int):int;",
            "for (decl(local4 j:int = 0:int);; (lt local4:int 2:int):int; (postInc local4:int):int) (postInc local1:int):int;",
            "return local1:int;",
        ])
    }

    /// `char *argv[]`, `const unsigned char b[4]` and a function parameter are pointers
    /// (C's parameter adjustment), also where the body reads them.
    @Test func arrayAndFunctionParametersArePointers() throws {
        let tu = try parseC("int f(const unsigned char b[4], int g(int), char *argv[]) { return b[3] + g(1) + argv[0][0]; }")
        let f = try #require(tu.function("f"))
        #expect(f.parameters.map(\.type.isPointer) == [true, true, true])
        #expect(tu.bodyDump("f").count == 1 && !tu.bodyDump("f")[0].contains("[4]"), "\(tu.bodyDump("f"))")
    }

    @Test func caseValuesAreConvertedToTheSwitchType() throws {
        let tu = try parseC("int f(unsigned int x, long long v) { switch (x) { case -1: return 1; } switch (v) { case 0x100000000LL: return 2; } return 0; }")
        let b = tu.bodyDump("f")
        #expect(b[0] == "switch local0:unsigned int { case 4294967295: return 1:int; }")
        #expect(b[1] == "switch local1:long long { case 4294967296: return 2:int; }")
    }

    @Test func staticLocalsAreHoistedAndLocalIdsUnique() throws {
        let tu = try parseC("""
        static inline __attribute__((always_inline)) int helper(int x) { static int count = 2; count++; return count + x; }
        int other(int a, int b) { static int count; int c = a; { int d = b; } int e = c; return count + e; }
        """)
        let g = try #require(tu.global("helper.count"))
        #expect(g.isStatic && g.isDefinition && g.initializer.map { ASTDump.initializer($0, tu) } == "2:int")
        #expect(tu.global("other.count") != nil && tu.global("other.count")?.initializer == nil)
        #expect(tu.bodyDump("helper") == ["decl();", "(postInc @helper.count:int):int;", "return (add @helper.count:int local0:int):int;"])
        let other = tu.bodyDump("other")
        #expect(other == ["decl();", "decl(local2 c:int = local0:int);", "{ decl(local3 d:int = local1:int); }",
                          "decl(local4 e:int = local2:int);", "return (add @other.count:int local4:int):int;"])
        let h = try #require(tu.function("helper"))
        #expect(h.isStatic && h.attributes.alwaysInline && h.attributes.isInline)
    }

    @Test func inlineAssembly() throws {
        let tu = try parseC("""
        void f(unsigned char k, long v) {
          asm volatile("r0 = %[x]; %0 = r1" : "=r"(v) : [x]"i"(42), "r"(k) : "r0", "memory");
          asm("" ::: "memory");
        }
        """)
        #expect(tu.bodyDump("f") == [
            #"asm volatile("r0 = $1; $0 = r1" : "=r" local1:long : "i" 42:int, "r" local0:unsigned char : r0, memory);"#,
            #"asm volatile("" :  :  : memory);"#,
        ])
    }

    /// Labels a block declares `__label__` get names of their own in each block (a macro
    /// declaring them, used twice, makes two sets); asm goto names its labels, read from the
    /// macro's definition.
    @Test func localLabelsAndAsmGotoLabels() throws {
        let tu = try parseC("""
        #define SPENT ({ __label__ out, on; int r = 0; \\
            asm volatile goto("may_goto %l[out]" :::: out); goto on; out: r = 1; on: r; })
        int f(void) { int a = SPENT; int b = SPENT; return a + b; }
        """)
        let dump = tu.bodyDump("f").joined(separator: "\n")
        #expect(dump.contains(#"asm volatile("may_goto ${0:l}" :  :  :  : out.1);"#), "\(dump)")
        #expect(dump.contains(#"asm volatile("may_goto ${0:l}" :  :  :  : out.3);"#), "\(dump)")
        #expect(dump.contains("goto on.2;") && dump.contains("goto on.4;") && dump.contains("out.3: "), "\(dump)")
    }

    @Test func asmGotoLabelThroughAMacroParameterIsRefused() {
        do {
            _ = try parseC("""
            #define JUMP_TO(l) asm volatile goto("may_goto %l[" #l "]" :::: l)
            int f(void) { JUMP_TO(done); return 1; done: return 0; }
            """)
            Issue.record("converted")
        } catch {
            #expect("\(error)".contains("'asm goto' label 'l' is not a label of this function"), "\(error)")
        }
    }

    @Test func blockScopeFunctionDeclarationKeepsLocals() throws {
        let tu = try parseC("int f(int n) { int k = n; int ext(int); return ext(k); }")
        #expect(tu.bodyDump("f").last == "return (call (icast fn:ext):int(int) * local1:int):int;")
        #expect(tu.function("ext")?.isExtern == true)
    }

    @Test func topLevelDeclarationsMerge() throws {
        let tu = try parseC("""
        extern int kf(int) __attribute__((weak));
        int d(int);
        int d(int a) { return a; }
        int d(int);
        char LICENSE[] __attribute__((section("license"))) = "GPL";
        extern int kcfg __attribute__((section(".kconfig"), weak));
        int tentative;
        int tentative = 5;
        _Static_assert(sizeof(int) == 4, "x");
        static __attribute__((noinline)) int sub(void) { return 1; }
        __attribute__((section("xdp"), used)) int prog(void *ctx) { return sub(); }
        """)
        #expect(tu.functions.filter { $0.name == "d" }.count == 1)
        #expect(tu.function("d")?.body != nil && tu.function("d")?.isExtern == false)
        #expect(tu.function("kf")?.isExtern == true && tu.function("kf")?.attributes.weak == true)
        let lic = try #require(tu.global("LICENSE"))
        #expect(lic.type == .array(.int(bytes: 1, signed: true, name: "char"), count: 4))
        #expect(lic.initializer.map { ASTDump.initializer($0, tu) } == #""GPL\x0":char[4]"#)
        let k = try #require(tu.global("kcfg"))
        #expect(k.isExtern && !k.isDefinition && k.attributes.section == ".kconfig" && k.attributes.weak)
        #expect(tu.globals.filter { $0.name == "tentative" }.count == 1 && tu.initDump("tentative") == "5:int")
        #expect(tu.function("sub")?.attributes.noinline == true && tu.function("sub")?.isStatic == true)
        #expect(tu.function("prog")?.attributes.section == "xdp" && tu.function("prog")?.attributes.used == true)
    }

    @Test func syntaxErrorLineAndColumn() {
        let d = diagnosticsOf("int f(void) {\n  int x = 1\n  return x;\n}\n")
        let e = d.first { $0.severity == .error }
        #expect(e?.location.line == 2)
        #expect(e?.location.column == 12)
        #expect(e?.location.file.hasSuffix("t.c") == true)
        #expect(e?.message == "expected ';' at end of declaration")
    }
}
