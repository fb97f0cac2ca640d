import Testing
@testable import BPFFrontend

@Suite struct ExprTests {
    func ret(_ src: String, _ fn: String = "f") throws -> (TranslationUnit, String) {
        let tu = try parseC(src)
        let e = try #require(returnedExpr(tu, fn))
        return (tu, ASTDump.expr(e, tu))
    }

    @Test func implicitCastsAreExplicitAndSameTypeCastsDropped() throws {
        let (_, d) = try ret("unsigned long f(unsigned char c, int i) { return c + i; }")
        #expect(d == "(icast (add (icast local0:unsigned char):int local1:int):int):unsigned long")
    }

    @Test func constantExpressionsFold() throws {
        let (_, d) = try ret("""
        struct s { int a; struct { int x; } in; };
        enum e { E1 = 5 };
        long f(void) { return sizeof(struct s) + _Alignof(long) + __builtin_offsetof(struct s, in.x) + E1 + 'a'; }
        """)
        #expect(d == "(icast 122:unsigned long):long")   // 8 + 8 + 4 + 5 + 97
    }

    @Test func constVolatileGlobalsAreNotFolded() throws {
        let (_, d) = try ret("const volatile int cfg = 7; int f(void) { return cfg + 1; }")
        #expect(d == "(add @cfg:int volatile const 1:int):int")
    }

    /// `skb->dev` where `dev` sits in an anonymous union inside an anonymous struct inside
    /// an anonymous union (struct sk_buff's layout): libclang's AST skips some of the
    /// implicit anonymous-member accesses; the converted expression names every level.
    @Test func membersNestedInAnonymousRecordsGetTheirWholePath() throws {
        let (_, d) = try ret("""
        struct dev { int ifindex; };
        struct skb {
            union {
                struct { struct skb *next; struct skb *prev; union { struct dev *dev; unsigned long scratch; }; };
                long rb[3];
            };
            unsigned len;
        };
        struct dev *f(struct skb *s) { return s->dev; }
        """)
        #expect(d.hasPrefix("(.0 (.2 (.0 (->0 local0:struct skb *)"), "\(d)")
    }

    @Test func literalsAndUnaryOperators() throws {
        let tu = try parseC("long f(unsigned long n, int *p) { long r; r = -5; r = ~0u; r = !n; r = *p; n++; --n; r = (long)&r; return r; }")
        #expect(tu.bodyDump("f") == [
            "decl(local2 r:long);",
            "(assign local2:long (icast -5:int):long):long;",
            "(assign local2:long (icast 4294967295:unsigned int):long):long;",
            "(assign local2:long (icast (logicalNot local0:unsigned long):int):long):long;",
            "(assign local2:long (icast (deref local1:int *):int):long):long;",
            "(postInc local0:unsigned long):unsigned long;",
            "(preDec local0:unsigned long):unsigned long;",
            "(assign local2:long (cast (addressOf local2:long):long *):long):long;",
            "return local2:long;",
        ])
    }

    @Test func compoundAssignmentKeepsOperands() throws {
        let tu = try parseC("void f(char *c, int k) { *c += k; k <<= 2; }")
        #expect(tu.bodyDump("f") == [
            "(addAssign (deref local0:char *):char local1:int):char;",
            "(shlAssign local1:int 2:int):int;",
        ])
    }

    @Test func subscriptIsNormalisedAndMembersResolved() throws {
        let (_, d) = try ret("""
        struct s { int a; char name[8]; struct { short x; union { int y; char z; }; }; };
        int f(int *p, struct s *q) { return 2[p] + q->y + q->name[1]; }
        """)
        #expect(d == "(add (add ([] local0:int * 2:int):int (.0 (.1 (->2 local1:struct s *):struct <anon#1>):union <anon#2>):int):int"
                   + " (icast ([] (icast (->1 local1:struct s *):char[8]):char * 1:int):char):int):int")
    }

    @Test func dotAndArrowDependOnBasePointerness() throws {
        let tu = try parseC("struct p { int x, y; }; int f(struct p v, struct p *w) { return v.y + w->x; }")
        guard case .binary(.add, let a, let b)? = returnedExpr(tu, "f")?.kind else { Issue.record("add expected"); return }
        #expect(ASTDump.expr(a, tu) == "(.1 local0:struct p):int")
        #expect(ASTDump.expr(b, tu) == "(->0 local1:struct p *):int")
    }

    @Test func conditionalGnuElvisAndStatementExpression() throws {
        let tu = try parseC("""
        long f(int a, char ch) { long r = a ?: 9; r = ch > 0 ? (long)ch : -1L; r = ({ int t = 3; t * 2; }); return r; }
        """)
        #expect(tu.bodyDump("f") == [
            "decl(local2 r:long = (icast (? local0:int local0:int 9:int):int):long);",
            "(assign local2:long (? (gt (icast local1:char):int 0:int):int (cast local1:char):long -1:long):long):long;",
            "(assign local2:long (icast ({ decl(local3 t:int = 3:int); (mul local3:int 2:int):int; }):int):long):long;",
            "return local2:long;",
        ])
    }

    @Test func callsToBuiltinsFunctionsAndHelperPointers() throws {
        let tu = try parseC("""
        static long (*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
        int g(int);
        void f(int *p, void *q) {
            __builtin_memcpy(p, q, 4);
            __sync_fetch_and_add(p, 1);
            g(2);
            bpf_map_lookup_elem(q, p);
        }
        """)
        let body = tu.bodyDump("f")
        #expect(body.count == 4)
        #expect(body[0] == "(call (icast fn:__builtin_memcpy):void *(void *, void const *, unsigned long) * (icast local0:int *):void * (icast local1:void *):void const * (icast 4:int):unsigned long):void *;")
        #expect(body[1].hasPrefix("(call (icast fn:__sync_fetch_and_add"))
        #expect(body[2] == "(call (icast fn:g):int(int) * 2:int):int;")
        #expect(body[3] == "(call @bpf_map_lookup_elem:long(void *, void const *) * local1:void * (icast local0:int *):void const *):long;")
        #expect(tu.initDump("bpf_map_lookup_elem") == "(icast (cast 1:int):void *):long(void *, void const *) *")
    }

    @Test func stringLiteralsDecodeEscapes() throws {
        let tu = try parseC(#"const char *f(void) { return "a\tb\x41\0c" "d"; } const char *g(void) { return __func__; }"#)
        // char[8] → char * → const char *
        guard case .cast(let c1, implicit: true)? = returnedExpr(tu, "f")?.kind, case .cast(let s, implicit: true) = c1.kind,
              case .stringLiteral(let bytes) = s.kind else {
            Issue.record("string expected"); return
        }
        #expect(bytes == [97, 9, 98, 65, 0, 99, 100, 0])
        guard case .cast(let s2, implicit: true)? = returnedExpr(tu, "g")?.kind else { Issue.record("cast expected"); return }
        #expect(s2.kind == .stringLiteral(Array("g".utf8) + [0]))
    }

    @Test func compoundLiteralsAndTypesCompatible() throws {
        let tu = try parseC("""
        struct p { int a, b; };
        int f(void) { struct p v; v = (struct p){ .b = 2 }; return __builtin_types_compatible_p(int, unsigned) + __builtin_types_compatible_p(int, signed); }
        """)
        #expect(tu.bodyDump("f")[1] == "(assign local0:struct p (compound {1=2:int}):struct p):struct p;")
        #expect(tu.bodyDump("f")[2] == "return 1:int;")
    }

    @Test func coreBuiltinsGetTypeAndEnumOperands() throws {
        let tu = try parseC("""
        typedef int pid_t;
        enum kind { K_A = 3, K_B = 7 };
        struct s { int a; };
        unsigned long f(struct s *p) {
            return __builtin_preserve_type_info(*(typeof(struct s) *)0, 0)
                 + __builtin_preserve_enum_value(*(typeof(enum kind) *)K_B, 1)
                 + __builtin_btf_type_id(*(typeof(pid_t) *)0, 0)
                 + __builtin_preserve_field_info(p->a, 2);
        }
        """)
        let d = ASTDump.expr(try #require(returnedExpr(tu, "f")), tu)
        #expect(d.contains("(type struct s):struct s"))
        #expect(d.contains("(enumval enum kind K_B):enum kind"))
        #expect(d.contains("(type pid_t):pid_t"))
        #expect(d.contains("(call (icast fn:__builtin_preserve_field_info):unsigned int(...) * (->0 local0:struct s *):int 2:int)"))
    }

    @Test func genericSelection() throws {
        let (_, d) = try ret("int f(long n) { return _Generic(n, int: 1, long: 2, default: 3); }")
        #expect(d == "2:int")
    }

    @Test func floatingPointAndVLAAreDiagnosed() {
        let f = diagnosticsOf("int f(float x) {\n  return x * 2;\n}")
        #expect(f.count == 1 && f.first?.location.line == 2 && f.first?.message.contains("floating point") == true)
        let v = diagnosticsOf("int g(int n) {\n  int vla[n];\n  return vla[0];\n}")
        #expect(v.first?.location.line == 2 && v.first?.message.contains("variable length") == true)
        // A float-using static helper nobody calls does not fail the compilation.
        #expect(diagnosticsOf("static int h(float y) { return y * 3; } int k(void) { return 0; }").isEmpty)
    }
}
