import Testing
@testable import BPFFrontend

/// Attributes read from pretty-printed declarations, as libclang prints them.
@Suite struct AttributeParserTests {
    /// The byte search the converter uses in place of Foundation's `contains`.
    @Test func byteSearchFindsSubstrings() {
        #expect("struct (anonymous at x.h:3:1)".hasBytes("(anonymous"))
        #expect("c:@SA@atomic_t".hasBytes("@SA@") && !"c:@S@task_struct".hasBytes("@SA@"))
        #expect("ab".hasBytes("") && !"ab".hasBytes("abc") && "aab".hasBytes("ab") && !"".hasBytes("a"))
        #expect("xx preserve_access_index)) ".dropFirst(3).hasBytes("preserve_access_index"))
    }

    @Test func declarationAttributesButNotParameterOnes() {
        let fn = AttributeParser.parse("""
            __attribute__((btf_decl_tag("tagged_fn"))) __attribute__((noinline)) int tagged_add(int x __attribute__((btf_decl_tag("param_x"))), int y) {
            """)
        #expect(fn.btfDeclTags == ["tagged_fn"])
        #expect(fn.noinline)
        let param = AttributeParser.parse("int x __attribute__((btf_decl_tag(\"param_x\")))")
        #expect(param.btfDeclTags == ["param_x"])
    }

    @Test func sectionsVisibilityAndWeakness() {
        let a = AttributeParser.parse("__attribute__((weak)) __attribute__((visibility(\"hidden\"))) int bpf_usdt_arg(struct pt_regs *ctx, __u64 arg_num, long *res)")
        #expect(a.weak && a.hidden)
        let s = AttributeParser.parse("__attribute__((section(\"xdp\"))) __attribute__((used)) int prog(void *ctx)")
        #expect(s.section == "xdp" && s.used && !s.hidden)
        // Attributes of declarations inside the body do not count.
        let b = AttributeParser.parse("int f(void) { __attribute__((unused)) static int x __attribute__((section(\"x\"))); }")
        #expect(b.section == nil)
    }

    /// `asm("...")` after a declarator names the symbol (the packet-load intrinsics); one
    /// inside the body or a parameter list does not count.
    @Test func asmLabels() {
        let a = AttributeParser.parse("unsigned long long load_byte(const void *skb, unsigned long long off) asm(\"llvm.bpf.load.byte\")")
        #expect(a.asmLabel == "llvm.bpf.load.byte")
        #expect(AttributeParser.parse("int x __asm__(\"y\")").asmLabel == "y")
        #expect(AttributeParser.parse("int f(void) { asm(\"r0 = 0\"); }").asmLabel == nil)
        #expect(AttributeParser.parse("int plasm(int a)").asmLabel == nil)
    }
}
