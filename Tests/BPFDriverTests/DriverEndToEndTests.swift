import Testing
import Foundation
@testable import BPFDriver

/// The driver as Makefiles use it: options in, object bytes or clang-style diagnostics out.
@Suite struct DriverEndToEndTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Runs a tool; its exit status and standard output.
    static func tool(_ path: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    func options(_ args: [String]) throws -> Options {
        var o = try OptionParser.parse(args + ["-I/usr/include/x86_64-linux-gnu", "\(Self.root)/testsuite/programs/xdp/xdp_count_ethertype.c"])
        o.parseCache = false
        return o
    }

    @Test func bigEndianObjectsAreReadable() throws {
        let o = try options(["-O2", "-g", "-target", "bpfeb"])
        let result = try Driver.compile(file: o.inputs[0], options: o)
        #expect(result.object[5] == 2, "EI_DATA must say big endian")
        #expect(result.object[18] == 0 && result.object[19] == 247, "e_machine EM_BPF, big-endian")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/llvm-objdump-22") else {
            print("SKIP: llvm-objdump-22 is not installed"); return
        }
        let path = NSTemporaryDirectory() + "be-\(UUID().uuidString).o"
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(result.object)))
        let (status, text) = try Self.tool("/usr/bin/llvm-objdump-22", ["-d", path])
        #expect(status == 0)
        // The first instruction loads ctx->data: a 4-byte load with offset 0 from r1.
        #expect(text.contains("= *(u32 *)(r1 + 0x0)"), "unexpected disassembly:\n\(text.prefix(400))")
    }

    /// Acquire and consume loads and release stores are -mcpu=v4's load-acquire and
    /// store-release (as clang-22 emits them), of every width; relaxed ones, and every one
    /// before v4 (which has no such instruction), are plain loads and stores.
    @Test func orderedAtomicAccessesAreLoadAcquireAndStoreRelease() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/llvm-objdump-22") else {
            Issue.record("SKIP: llvm-objdump-22 is not installed"); return
        }
        let dir = NSTemporaryDirectory() + "acq-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = dir + "/a.c"
        try """
        unsigned long x; unsigned char z;
        unsigned long get(void) { return __atomic_load_n(&x, __ATOMIC_ACQUIRE) + __atomic_load_n(&z, __ATOMIC_CONSUME); }
        void put(unsigned long v) { __atomic_store_n(&x, v, __ATOMIC_RELEASE); __atomic_store_n(&z, (unsigned char)v, __ATOMIC_RELAXED); }
        """.write(toFile: src, atomically: true, encoding: .utf8)
        func listing(cpu: Int) throws -> String {
            var o = try OptionParser.parse(["-O2", "-target", "bpf", "-mcpu=v\(cpu)", src])
            o.parseCache = false
            let obj = dir + "/a\(cpu).o"
            #expect(FileManager.default.createFile(atPath: obj, contents: Data(try Driver.compile(file: src, options: o).object)))
            return try Self.tool("/usr/bin/llvm-objdump-22", ["-d", obj]).1
        }
        let v4 = try listing(cpu: 4), v3 = try listing(cpu: 3)
        #expect(v4.contains("= load_acquire((u64 *)") && v4.contains("= load_acquire((u8 *)"), "\(v4)")
        #expect(v4.contains("store_release((u64 *)"), "\(v4)")
        #expect(v4.contains("*(u8 *)(") && !v4.contains("store_release((u8 *)"), "the relaxed store is plain:\n\(v4)")
        #expect(!v3.contains("load_acquire") && !v3.contains("store_release"), "\(v3)")
    }

    /// `asm volatile("" ::: "memory")` (libbpf's `barrier()`): memory is read again after
    /// it, as clang's build reads it; without the "memory" clobber the stored value is
    /// forwarded.
    @Test func aMemoryBarrierMakesMemoryBeReadAgain() throws {
        let dir = NSTemporaryDirectory() + "barrier-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func loadsAfterTheStore(clobber: String) throws -> Int {
            let src = dir + "/b\(clobber.isEmpty ? 0 : 1).c"
            try """
            unsigned long counter;
            int f(void) { counter = 5; asm volatile("" ::: \(clobber)); return counter; }
            """.write(toFile: src, atomically: true, encoding: .utf8)
            var o = try OptionParser.parse(["-O2", "-target", "bpf", src])
            o.parseCache = false
            o.emitIR = true
            let ir = try Driver.compile(file: src, options: o).irText
            return ir.split(separator: "\n").filter { $0.contains("= load") }.count
        }
        #expect(try loadsAfterTheStore(clobber: "\"memory\"") == 1)
        #expect(try loadsAfterTheStore(clobber: "") == 0)
    }

    /// Inline assembly operands as clang hands them over: a value narrowed under 32 bits
    /// (`(short)x`, bpf_experimental.h's `__bpf_cmp`) arrives as the register it was
    /// truncated from, not masked; an "ri" input the optimizer makes a constant is spelled
    /// as one (one input fewer); an input is its value's own register, not a copy.
    @Test func asmOperandsAsClangPassesThem() throws {
        let dir = NSTemporaryDirectory() + "asmops-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func ir(_ body: String) throws -> String {
            let src = dir + "/a.c"
            try body.write(toFile: src, atomically: true, encoding: .utf8)
            var o = try OptionParser.parse(["-O2", "-target", "bpf", src])
            o.parseCache = false
            o.emitIR = true
            return try Driver.compile(file: src, options: o).irText
        }
        let narrowed = try ir("""
            int f(unsigned x) { long r; asm volatile("%0 = %1" : "=r"(r) : "r"((short)x)); return r; }
            """)
        #expect(!narrowed.contains("and.") && !narrowed.contains("65535"), "\(narrowed)")
        let constant = try ir("""
            int f(unsigned x) { unsigned limit = 1000; int r = 0;
              asm volatile("if %[a] > %[b] goto +1; %[r] = 1" : [r] "+r"(r) : [a] "r"(x), [b] "ri"(limit)); return r; }
            """)
        #expect(constant.contains("asm \"if $1 > $2 goto +1; $0 = 1\" in([%3, %1])"), "\(constant)")
        let read = try ir("""
            unsigned long long g;
            int f(unsigned long long x) { asm volatile("*(u64 *)(%0 + 0) = %1" :: "r"(&g), "r"(x)); return x; }
            """)
        #expect(read.contains(", %0])"), "\(read)")
    }

    /// `$(CLANG) -v -E - </dev/null` is how libbpf-bootstrap and libbpf-tools Makefiles find
    /// the system include directories: the list sits between clang's two marker lines.
    @Test func verboseProbePrintsTheSearchListAsClangDoes() throws {
        let dir = NSTemporaryDirectory() + "drv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let empty = dir + "/empty.c", code = dir + "/code.c"
        try "\n".write(toFile: empty, atomically: true, encoding: .utf8)
        try "int x;\n".write(toFile: code, atomically: true, encoding: .utf8)
        var err = "", out = ""
        let status = Driver.run(arguments: ["-v", "-E", "-I/opt/mine", empty], stdout: { out += $0 }, stderr: { err += $0 })
        #expect(status == 0 && out.isEmpty)
        let lines = err.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(of: "#include <...> search starts here:"),
              let end = lines.firstIndex(of: "End of search list."), start < end else {
            Issue.record("no search list in:\n\(err)"); return
        }
        let dirs = lines[(start + 1)..<end].map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines[(start + 1)..<end].allSatisfy { $0.hasPrefix(" /") })
        #expect(dirs.first == "/opt/mine" && dirs.last == "/usr/include")
        #expect(dirs.contains("/usr/lib/llvm-22/lib/clang/22/include"))
        if FileManager.default.fileExists(atPath: "/usr/include/x86_64-linux-gnu") {
            #expect(dirs.contains("/usr/include/x86_64-linux-gnu"))
        }
        err = ""
        #expect(Driver.run(arguments: ["-E", code], stdout: { out += $0 }, stderr: { err += $0 }) != 0)
        #expect(err.contains("error: -E"))
    }

    @Test func errorsAreClangStyleAndLeaveNoOutput() throws {
        let dir = NSTemporaryDirectory() + "drv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = dir + "/bad.c", out = dir + "/bad.o"
        try "int f(void)\n{\n  return 1 +;\n}\n".write(toFile: src, atomically: true, encoding: .utf8)
        // An object from an earlier, successful compile goes too (clang removes it).
        try "stale".write(toFile: out, atomically: true, encoding: .utf8)
        var err = ""
        let code = Driver.run(arguments: ["-c", src, "-o", out, "--no-parse-cache"], stdout: { _ in }, stderr: { err += $0 })
        #expect(code != 0)
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(err.contains("\(src):3:"), "diagnostic lacks file:line:col: \(err)")
        #expect(err.contains(": error: expected expression"))
        #expect(err.contains("^"), "no caret line")
    }

    /// The source line under a diagnostic is the line clang numbers: "\r\n" and a lone "\r"
    /// end lines as "\n" does (a "\r\n" file once printed no line past its first, and its
    /// whole text for an error on line 1).
    @Test func diagnosticsShowTheirLineWhateverTheLineEnds() throws {
        let dir = NSTemporaryDirectory() + "drv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (ends, name) in [("\r\n", "crlf.c"), ("\r", "cr.c"), ("\n", "lf.c")] {
            let src = dir + "/" + name
            try ["int f(void)", "{", "  return 1 +;", "}", "int g;"].joined(separator: ends).write(toFile: src, atomically: true, encoding: .utf8)
            var err = ""
            let code = Driver.run(arguments: ["-c", src, "-o", dir + "/x.o", "--no-parse-cache"], stdout: { _ in }, stderr: { err += $0 })
            #expect(code != 0)
            #expect(err.contains("\(src):3:13: error: expected expression\n  return 1 +;\n            ^\n"), "\(name): \(err)")
        }
    }

    /// An error in a macro's argument points where the argument is spelled, an error in a
    /// macro's body where the macro is used, as clang points (katran's
    /// `bpf_htons(KDE_GUE_PORT)` was reported at `bpf_htons`).
    @Test func diagnosticsInMacrosPointWhereClangPoints() throws {
        let dir = NSTemporaryDirectory() + "drv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = dir + "/m.c"
        try "#define TWICE(x) ((x) + (x))\n#define BAD undefined_thing\nint f(int a) { return TWICE(a) + TWICE(\n    nope) + BAD; }\n"
            .write(toFile: src, atomically: true, encoding: .utf8)
        var err = ""
        #expect(Driver.run(arguments: ["-c", src, "-o", dir + "/m.o", "--no-parse-cache"], stdout: { _ in }, stderr: { err += $0 }) != 0)
        #expect(err.contains("\(src):4:5: error: use of undeclared identifier 'nope'\n    nope) + BAD; }\n    ^\n"), "\(err)")
        #expect(err.contains("\(src):4:13: error: use of undeclared identifier 'undefined_thing'"), "\(err)")
    }

    /// `-o /dev/null` or `-o` a pipe: the object is written into it, which stays what it
    /// was (renaming a temporary over it, as for files, replaced /dev/null by a file). The
    /// pipe's reading end is opened first, without waiting; the small object fits its buffer.
    @Test func outputsThatAreNotFilesAreWrittenNotReplaced() throws {
        let dir = NSTemporaryDirectory() + "fifo-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = dir + "/p.c", fifo = dir + "/out"
        try "int f(void) { return 1; }\n".write(toFile: src, atomically: true, encoding: .utf8)
        #expect(mkfifo(fifo, 0o600) == 0)
        let fd = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(fd >= 0)
        defer { close(fd) }
        let code = Driver.run(arguments: ["-O2", "-target", "bpf", "-c", src, "-o", fifo, "--no-parse-cache"],
                              stdout: { _ in }, stderr: { _ in })
        #expect(code == 0)
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &buffer, buffer.count)
        #expect(n > 4 && Array(buffer[0..<4]) == [0x7f, 0x45, 0x4c, 0x46], "the object came through the pipe")
        let kind = try FileManager.default.attributesOfItem(atPath: fifo)[.type] as? FileAttributeType
        #expect(kind != .typeRegular, "still a pipe, not a file")
    }

    /// The detached parse-cache builder gets the compile's parsing options and inputs,
    /// none of its outputs (it must not write the object or the dependency file).
    @Test func cacheBuilderGetsTheParseOptionsOnly() {
        let compile = ["-O2", "-g", "-target", "bpf", "-I", "inc", "-DX=1", "-c", "x.c", "-o", "x.o", "-MD", "-MF", "x.d",
                       "-MT", "t.o", "-MQ", "q.o", "-ox2.o", "-MMD", "-emit-ir", "-idirafter", "/opt/inc"]
        #expect(Driver.cacheBuilderArguments(compile)
                == ["--build-parse-cache", "-O2", "-g", "-target", "bpf", "-I", "inc", "-DX=1", "x.c", "-idirafter", "/opt/inc"])
    }

    /// The same headers with and without the parse cache (whose PCH holds them: its
    /// inputs are added to what libclang reports). The cached case builds the entry first,
    /// so that the compile reads the headers from it.
    @Test(arguments: [false, true])
    func dependencyFileListsEveryHeader(fromCache: Bool) throws {
        let dir = NSTemporaryDirectory() + "dep-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = "\(Self.root)/testsuite/programs/xdp/xdp_count_ethertype.c"
        let parse = ["-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu"]
        if fromCache {
            #expect(Driver.run(arguments: ["--build-parse-cache"] + parse + [src], stdout: { _ in }, stderr: { _ in }) == 0)
        }
        let code = Driver.run(arguments: parse + ["-c", src, "-o", dir + "/x.o", "-MD", "-MF", dir + "/x.d", "-MT", "built/x.o"]
                                  + (fromCache ? [] : ["--no-parse-cache"]),
                              stdout: { _ in }, stderr: { _ in })
        #expect(code == 0)
        let deps = (try? String(contentsOfFile: dir + "/x.d", encoding: .utf8)) ?? ""
        #expect(deps.hasPrefix("built/x.o: \(src)"))
        #expect(deps.contains("bpf/bpf_helpers.h") && deps.contains("linux/bpf.h") && deps.contains("bpf_endian.h"))
    }

    /// `bpftool prog dump xlated linum` shows each instruction's source line with our
    /// file, line and column: line_info reached the kernel as the verifier keeps it.
    @Test func lineInfoShowsFileLineAndColumnInTheKernel() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/bpftool"),
              FileManager.default.fileExists(atPath: "/sys/fs/bpf") else {
            print("SKIP: needs root, bpftool and /sys/fs/bpf"); return
        }
        let o = try options(["-O2", "-g", "-target", "bpf"])
        let result = try Driver.compile(file: o.inputs[0], options: o)
        let path = NSTemporaryDirectory() + "linum-\(UUID().uuidString).o"
        let pin = "/sys/fs/bpf/swiftbpfcc_linum_\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: path); unlink(pin) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(result.object)))
        let (loaded, _) = try Self.tool("/usr/sbin/bpftool", ["prog", "load", path, pin])
        #expect(loaded == 0)
        guard loaded == 0 else { return }
        let (status, dump) = try Self.tool("/usr/sbin/bpftool", ["prog", "dump", "xlated", "pinned", pin, "linum"])
        #expect(status == 0)
        // The first line of the body reads the packet's start.
        #expect(dump.contains("xdp_count_ethertype.c line_num:"), "\(dump.prefix(600))")
        #expect(dump.contains("line_col:"), "\(dump.prefix(600))")
    }

    /// Compiles a C snippet at -O2 and returns its optimized IR.
    func optimizedIR(of source: String, cpu: Int = 3, level: Int = 2) throws -> String {
        let dir = NSTemporaryDirectory() + "snippet-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = dir + "/s.c"
        try ("#define SEC(n) __attribute__((section(n), used))\n" + source).write(toFile: src, atomically: true, encoding: .utf8)
        var o = try OptionParser.parse(["-O\(level)", "-target", "bpf", "-mcpu=v\(cpu)", "-emit-ir", src])
        o.parseCache = false
        return try Driver.compile(file: src, options: o).irText
    }

    /// A counted loop is unrolled by the size of its body with what it inlines (clang
    /// weighs a loop after inlining): twelve signatures, each checked by an inlined
    /// eight-byte compare loop, stay a loop over the signatures (the compares unrolled);
    /// without the inlined compare loop's weight the twelve copies were made.
    @Test func loopsAreUnrolledByTheirSizeWithInlinedCalls() throws {
        let ir = try optimizedIR(of: """
        static const char sigs[12][8] = { "/etc/pas", "cmd.exe ", "SELECT *", "abcdefgh", "ijklmnop", "qrstuvwx",
                                          "ABCDEFGH", "IJKLMNOP", "QRSTUVWX", "01234567", "89abcdef", "zyxwvuts" };
        static inline __attribute__((always_inline)) int same(const char *b, int s)
        {
            for (int k = 0; k < 8; k++)
                if (b[k] != sigs[s][k])
                    return 0;
            return 1;
        }
        SEC("xdp") int m(unsigned int *ctx)
        {
            char *d = (char *)(long)ctx[0], *e = (char *)(long)ctx[1];
            if (d + 8 > e) return 0;
            int hits = 0;
            for (int s = 0; s < 12; s++)
                if (same(d, s)) hits += s + 1;
            return hits;
        }
        """)
        #expect(hasBackEdge(ir), "the loop over the signatures was unrolled:\n\(ir)")
    }

    /// Whether the printed IR jumps or branches to a block laid out earlier (a loop).
    func hasBackEdge(_ ir: String) -> Bool {
        var position: [String: Int] = [:]
        for line in ir.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("@b"), text.hasSuffix(":") { position[String(text.dropLast())] = position.count; continue }
            if text.hasPrefix("jump") || text.hasPrefix("branch") {
                for word in text.split(separator: " ") where word.hasPrefix("@b") {
                    if position[String(word)] != nil { return true }
                }
            }
        }
        return false
    }

    /// Full unrolling follows clang's budget for a loop that unrolling only copies: a
    /// search for a NUL over 32 bytes stays a loop (clang keeps it; unrolled it was 100
    /// instructions against clang's 13), over 28 bytes it is unrolled (as clang unrolls
    /// it), and over 32 bytes compared with a constant table it is unrolled too (each
    /// table byte becomes an immediate, which clang's unroll analysis credits).
    @Test func searchLoopsAreUnrolledAsClangWeighsThem() throws {
        func search(_ n: Int, table: Bool) -> String {
            """
            \(table ? "static const unsigned char want[32] = \"0123456789abcdef0123456789abcdef\";" : "")
            struct name { unsigned char c[32]; };
            __attribute__((noinline)) int scan(const struct name *n)
            {
                const unsigned char *s;
                int i;
                if (!n) return 0;
                s = n->c;
                for (i = 0; i < \(n); i++)
                    if (s[i] == \(table ? "want[i]" : "0"))
                        break;
                return i;
            }
            SEC("raw_tp/x") int m(unsigned long long *ctx) { struct name n = {}; n.c[3] = ctx[0]; return scan(&n); }
            """
        }
        let whole = try optimizedIR(of: search(32, table: false))
        #expect(hasBackEdge(whole), "the 32-byte search was unrolled:\n\(whole)")
        let part = try optimizedIR(of: search(28, table: false))
        #expect(!hasBackEdge(part), "the 28-byte search stayed a loop:\n\(part)")
        let table = try optimizedIR(of: search(24, table: true))
        #expect(!hasBackEdge(table), "the search against a constant table stayed a loop:\n\(table)")
    }

    /// A loop calling a getter of a static mode that only a `switch` case the mode's
    /// initial 0 never selects changes: once `SteadyStatics` finds the mode steady, the
    /// getter's call is gone from the loop and the loop is unrolled as clang unrolls it
    /// (it was too large when the pipeline's unrolling ran). Where the input may set the
    /// mode first, the calls and the loop stay.
    @Test func aLoopTheSteadyStaticsEmptiedIsUnrolled() throws {
        func source(inputSetsMode: Bool) -> String {
            """
            static unsigned int mode;
            static unsigned long long table[4] = { 0x100, 7, 9, 11 };
            static __attribute__((noinline)) unsigned int current(void) { return mode; }
            SEC("raw_tp/x") int m(unsigned long long *ctx)
            {
                unsigned long long x = ctx[0], acc = 1;
                \(inputSetsMode ? "if (ctx[1] == 3) mode = 3;" : "")
                for (int j = 0; j < 6; j++) {
                    switch (current() & 3) {
                    case 3: mode--; table[j & 3] |= x;
                    case 1: acc ^= table[(x >> j) & 3]; break;
                    default: acc = acc * 7 + ((x >> (j * 8)) & 0xff);
                    }
                }
                return acc + table[1];
            }
            """
        }
        let steady = try optimizedIR(of: source(inputSetsMode: false))
        #expect(!hasBackEdge(steady) && !steady.contains("call func"), "\(steady)")
        let changing = try optimizedIR(of: source(inputSetsMode: true))
        #expect(hasBackEdge(changing) && changing.contains("call func"), "\(changing)")
    }

    /// `c - (-0x7fffffffffffffff) < in - (0xce43 + in)` of a signed byte `c` (random seed
    /// 65607, whose loop opened with it: over the verifier's limit where clang's build
    /// walked 3,350 instructions): the right side is a constant before the ranges are
    /// read, the test always holds, and the loop never runs a round.
    @Test func aTestAConstantDifferenceDecidesLeavesNoLoop() throws {
        let ir = try optimizedIR(of: """
        unsigned long long out;
        SEC("xdp") int m(unsigned int *ctx)
        {
            char *d = (char *)(long)ctx[0], *e = (char *)(long)ctx[1];
            if (d + 16 > e) return 2;
            signed char c = *(signed char *)(d + 10);
            unsigned long long in = *(unsigned long long *)d;
            for (unsigned long long i = 0; i < 8; i++) {
                if ((c - (-9223372036854775807ULL)) < (in - (0xce43u + in))) break;
                out += in * i;
            }
            return 2;
        }
        """)
        #expect(!ir.contains("out"), "\(ir)")
    }

    /// A packet parser's digit loop (the one of testsuite `lang_ascii_number.c`) is small in
    /// operations, as clang counts them, though large in AST nodes (casts, names,
    /// constants): it is unrolled, as clang unrolls it. A loop whose counter is a map key passed by
    /// address (clang cannot tell the helper leaves it alone) or that returns on a
    /// variable bound of the counter (`if (i >= n) return 0;`, a trip count of
    /// min(n, limit)) stays a loop, as clang keeps them.
    @Test func loopsAreUnrolledByTheirOperations() throws {
        let digits = try optimizedIR(of: """
        SEC("xdp") int m(unsigned int *ctx)
        {
            unsigned char *p = (unsigned char *)(long)ctx[0];
            void *end = (void *)(long)ctx[1];
            unsigned long dec = 0;
            int i;
            for (i = 0; i < 10; i++) {
                if ((void *)(p + i + 1) > end)
                    break;
                char c = p[i];
                if (c < '0' || c > '9')
                    break;
                dec = dec * 10 + (unsigned long)(unsigned char)(c - '0');
            }
            return dec + i;
        }
        """)
        #expect(!hasBackEdge(digits), "the digit loop stayed a loop:\n\(digits)")
        let key = try optimizedIR(of: """
        struct { int (*type)[1]; int (*max_entries)[8]; unsigned int *key; unsigned long long *value; } table SEC(".maps");
        static void *(*lookup)(void *map, const void *key) = (void *)1;
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            unsigned long long sum = 0;
            for (unsigned int i = 1; i < 8; i++) {
                unsigned long long *t = lookup(&table, &i);
                if (!t)
                    break;
                sum += (unsigned long long)((unsigned int)(*t) * (unsigned int)(i))
                       + (unsigned long long)((unsigned short)(sum >> (unsigned int)(3)) ^ (unsigned short)(0x7));
            }
            return sum;
        }
        """)
        #expect(hasBackEdge(key), "the loop over map keys was unrolled:\n\(key)")
        let bound = try optimizedIR(of: """
        __attribute__((noinline)) int same(const unsigned char *a, const unsigned char *b, int n)
        {
            if (!a || !b) return -1;
            for (int i = 0; i < 12; i++) {
                if (i >= n) return 0;
                if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
            }
            return 0;
        }
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            unsigned char x[12] = {}, y[12] = {};
            x[1] = ctx[0];
            return same(x, y, ctx[1]);
        }
        """)
        #expect(hasBackEdge(bound), "the loop with a variable bound was unrolled:\n\(bound)")
    }

    /// A loop calling an inlined function weighs the callee's operations, not its nodes:
    /// a six-trip loop whose always-inline callee is one statement full of casts is
    /// unrolled, as clang unrolls it (92 instructions; kept a loop, it was 23).
    @Test func loopsCallingInlinedFunctionsWeighTheirOperations() throws {
        let ir = try optimizedIR(of: """
        static __attribute__((always_inline)) inline void note(unsigned long *acc, unsigned long v)
        {
            *acc = (unsigned long)((unsigned int)(*acc) * (unsigned int)(31)) + (unsigned long)((unsigned short)(v) ^ (unsigned short)(0x7))
                   + (unsigned long)(unsigned char)(v >> (unsigned int)(3)) + (unsigned long)((unsigned int)(v) >> (unsigned int)(11));
        }
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            unsigned long acc = 0;
            for (int i = 0; i < 6; i++) {
                if (ctx[i] == 0)
                    break;
                note(&acc, ctx[i] + (unsigned long)(unsigned int)(i));
            }
            return acc;
        }
        """)
        #expect(!hasBackEdge(ir), "the loop calling an inlined function stayed a loop:\n\(ir)")
    }

    /// A loop storing to the elements of a local array keeps the larger unrolling budget
    /// (not the one for a body that only computes scalars): each store gets a constant
    /// stack offset (a rolled store at a variable offset made a generated program's
    /// verification exceed the kernel's limit where clang's build, which unrolls the
    /// loop, passed).
    @Test func storesToALocalArrayAreUnrolled() throws {
        let ir = try optimizedIR(of: """
        unsigned long long g[2];
        SEC("xdp") int m(unsigned int *ctx)
        {
            short a[16];
            long v = ctx[0];
            for (int i = 0; i < 16; i++)
                a[i] = (g[(unsigned long)(v) % 2] >= 3);
            return a[ctx[1] & 15];
        }
        """)
        #expect(!hasBackEdge(ir), "the stores to the local array stayed a loop:\n\(ir)")
    }

    /// A loop whose every branch the counter decides is traced into straight-line code
    /// within clang's budget for a loop it only copies (a 32-byte hash stays a loop, as in
    /// clang's build), and within a larger one when it compares stack addresses, which
    /// the verifier cannot bound (`while (p < end)` over a local array).
    @Test func tracedLoopsAreUnrolledByWhatTheyCompare() throws {
        let counted = try optimizedIR(of: """
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            unsigned char b[32];
            __builtin_memcpy(b, ctx, 32);
            unsigned int h = 0;
            for (int i = 0; i < 32; i++)
                h = h * 33 ^ b[i];
            return h;
        }
        """)
        #expect(hasBackEdge(counted), "the counted hash loop was unrolled:\n\(counted)")
        let pointers = try optimizedIR(of: """
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            unsigned char b[32];
            __builtin_memcpy(b, ctx, 32);
            unsigned int h = 0;
            unsigned char *p = b, *end = b + 32;
            while (p < end)
                h = h * 33 ^ *p++;
            return h;
        }
        """)
        #expect(!hasBackEdge(pointers), "the loop comparing stack addresses stayed a loop:\n\(pointers)")
    }

    /// `w = x++` with both locals' bytes copied by memcpy: the store of x's new value is
    /// dead, and once it is gone the copy of x into w forwards, so the packet bytes go
    /// straight to the packet (no stack slot left), as in clang's build.
    @Test func copyOfALocalSpoiledByADeadStoreForwards() throws {
        let ir = try optimizedIR(of: """
        typedef unsigned long long u64;
        SEC("xdp") int m(unsigned int *ctx)
        {
            char *data = (char *)(long)ctx[0], *end = (char *)(long)ctx[1];
            if (data + 64 > end) return 0;
            u64 x;
            __builtin_memcpy(&x, data + 1, sizeof(x));
            { u64 w = x++; __builtin_memcpy(data + 40, &w, sizeof(w)); }
            return 2;
        }
        """)
        #expect(!ir.contains("[$") && !ir.contains("addr $"), "a stack slot is still used:\n\(ir)")
    }

    /// Bytes of string literals read at known offsets fold to their values, as clang folds
    /// them (`names[1][1]` through a static table of pointers); a literal's address passed
    /// on stays an address.
    @Test func stringLiteralBytesFold() throws {
        let ir = try optimizedIR(of: """
        static const char *const names[] = { "tcp", "udp" };
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            return names[1][1] + names[0][2] * (int)ctx[0];
        }
        """)
        #expect(ir.contains("mov.w64 100") || ir.contains(", 100"), "\(ir)")   // 'd'
        #expect(!ir.contains("load.w8"), "\(ir)")
    }

    /// A `char[16]` member of a `preserve_access_index` record, at offset 24 of an 8-aligned
    /// object, is copied eight bytes at a time (its address is 8-aligned in this layout,
    /// which clang assumes of the relocated access too); at offset 20 four bytes at a time.
    @Test func relocatedArrayMembersKeepTheirLayoutAlignment() throws {
        func copy(_ pad: String) throws -> String {
            try optimizedIR(of: """
            struct sv { unsigned long long a, b; \(pad) char task[16]; } __attribute__((preserve_access_index));
            struct out { unsigned long long t; char comm[16]; };
            SEC("raw_tp/x") int m(unsigned long long *ctx)
            {
                struct sv *s = (struct sv *)ctx[0];
                struct out *o = (struct out *)ctx[1];
                __builtin_memcpy(o->comm, s->task, sizeof(o->comm));
                return 0;
            }
            """)
        }
        let aligned = try copy("unsigned long long c;")
        #expect(aligned.components(separatedBy: "load.w64").count - 1 == 2 + 2, "\(aligned)")   // ctx[0], ctx[1], two halves
        #expect(!aligned.contains("load.w8"), "\(aligned)")
        let four = try copy("unsigned int c;")
        #expect(four.components(separatedBy: "load.w32").count - 1 == 4, "\(four)")
        #expect(!four.contains("load.w8"), "\(four)")
    }

    /// Signed division and remainder by a constant: from cpu v4 one sdiv/smod instruction
    /// (the kernel has them); before, the magnitudes are divided unsigned and the sign
    /// restored. A remainder by a power of two masks the biased value (no shifts back).
    @Test func signedDivisionByConstantsUsesTheV4Instructions() throws {
        let source = """
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            int a = (int)ctx[0];
            return a / 7 + a % 7 + (a % 8) * 3;
        }
        """
        let v4 = try optimizedIR(of: source, cpu: 4)
        #expect(v4.contains("sdiv.w32") && v4.contains("srem.w32") && !v4.contains("udiv"), "\(v4)")
        #expect(!v4.contains("shl.w32"), "\(v4)")
        let v3 = try optimizedIR(of: source, cpu: 3)
        #expect(!v3.contains("sdiv") && !v3.contains("srem") && v3.contains("udiv.w32"), "\(v3)")
    }

    /// A static function called once is inlined unless it is huge (clang's bonus for a
    /// static function's last call is bounded too): three huge bodies inlined into one
    /// program put its branches out of the 16-bit range (falco's task_file iterator).
    @Test func hugeStaticFunctionsCalledOnceStayCalls() throws {
        let steps = String(repeating: "s ^= bpf_get_prandom_u32();\n", count: 200)
        let ir = try optimizedIR(of: """
        static unsigned (*bpf_get_prandom_u32)(void) = (void *)7;
        static int huge(void) { unsigned s = 1; \(steps) return s; }
        static int small(void) { return bpf_get_prandom_u32() & 1; }
        SEC("raw_tp/x") int m(void *ctx)
        {
            return bpf_get_prandom_u32() & 1 ? huge() : small();
        }
        """)
        #expect(ir.contains("call func huge("), "\(ir.prefix(800))")
        #expect(!ir.contains("call func small("), "\(ir.prefix(800))")
        // Sized as clang sizes a callee: after its counted loops are unrolled (falco's
        // task_file dumpers walk a path in an unrolled loop).
        let unrolled = try optimizedIR(of: """
        static unsigned (*bpf_get_prandom_u32)(void) = (void *)7;
        static int walk(void) { unsigned s = 1;
        #pragma unroll
            for (int i = 0; i < 80; i++) { s ^= bpf_get_prandom_u32() + i; s += bpf_get_prandom_u32(); }
            return s; }
        SEC("raw_tp/x") int m(void *ctx) { return bpf_get_prandom_u32() & 1 ? walk() : 0; }
        """)
        #expect(unrolled.contains("call func walk("), "\(unrolled.prefix(800))")
    }

    /// Globals whose initializers take the address of a static variable or a static
    /// function that nothing else uses: both are laid out / compiled, and the data's
    /// relocations name them (they used to fail with "relocation against unknown symbol"
    /// and no location); a global whose initializer names itself (a list head pointing at
    /// itself; "nest more than 2000 levels" before). A declared-only function's address is
    /// refused where it is taken.
    @Test func initializersTakeTheAddressesOfUnusedStatics() throws {
        let dir = NSTemporaryDirectory() + "drv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = dir + "/s.c", out = dir + "/s.o"
        try """
        static int a;
        int *p = &a;
        static char buf[10]; char *q = buf + 3;
        static int h(int x) { return x + 1; }
        int (*fp)(int) = h;
        struct N { struct N *next; int v; };
        struct N head = { &head, 1 };
        """.write(toFile: src, atomically: true, encoding: .utf8)
        var err = ""
        #expect(Driver.run(arguments: ["-target", "bpf", "-c", src, "-o", out, "--no-parse-cache"], stdout: { _ in }, stderr: { err += $0 }) == 0, "\(err)")
        let (_, symbols) = try Self.tool("/usr/bin/llvm-readelf-22", ["-s", "-r", out])
        let lines = symbols.split(separator: "\n")
        for name in [" a", " buf", " h", " p", " q", " fp", " head"] {
            #expect(lines.contains { $0.hasSuffix(name) && !$0.contains("UND") }, "\(name): \(symbols)")
        }
        try "static int g(int);\nint (*fp)(int) = g;\n".write(toFile: src, atomically: true, encoding: .utf8)
        err = ""
        #expect(Driver.run(arguments: ["-target", "bpf", "-c", src, "-o", out, "--no-parse-cache"], stdout: { _ in }, stderr: { err += $0 }) != 0)
        #expect(err.contains("\(src):2:18: error: function 'g' is declared but not defined"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// Loads from `static const` tables at known offsets are their constants (a MAC
    /// address copied from one is stored as immediates); a `const volatile` value, which
    /// the loader may set, and a table read at a variable index are loaded.
    @Test func staticConstTablesAreReadAtCompileTime() throws {
        let ir = try optimizedIR(of: """
        static const unsigned char mac[6] = { 0x02, 0, 0, 0, 0, 0xfe };
        static const unsigned short ports[3] = { 80, 443, 8080 };
        const volatile unsigned int limit = 7;
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            unsigned char *p = (unsigned char *)ctx[0];
            __builtin_memcpy(p, mac, 6);
            return ports[2] + limit + ports[ctx[1] & 1];
        }
        """)
        #expect(!ir.contains("symbol mac"), "\(ir)")
        #expect(ir.contains("], 254") && ir.contains("8080"), "\(ir)")
        #expect(ir.contains("symbol limit") && ir.contains("symbol ports"), "\(ir)")
    }

    /// Constant offsets past any object (`ctx[INT64_MAX]`, `p + INT64_MAX` over 4-byte
    /// elements) wrap as the target's address arithmetic does, as clang's do; they used to
    /// stop the compiler on an arithmetic overflow (found by mutating testsuite programs).
    @Test func hugeConstantOffsetsWrapInsteadOfTrapping() throws {
        let ir = try optimizedIR(of: """
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            int *p = (int *)ctx[1];
            char *c = (char *)ctx[2];
            long long x = ctx[9223372036854775807LL] + ((char *)ctx)[-9223372036854775807LL - 1];
            if (p + 9223372036854775807LL > (int *)ctx) x += 1;
            x += p[4611686018427387904LL] + c[9223372036854775807LL];
            __sync_fetch_and_add(&((long long *)c)[1152921504606846976LL + 3], 1);
            long long v, w;
            char buf[8] = {};
            __builtin_memcpy(&v, c + 9223372036854775807LL, sizeof(v));
            __builtin_memcpy(&w, buf + 9223372036854775807LL, sizeof(w));
            x += v + w;
            return x & 3;
        }
        """)
        // 8 * (2^63 - 1) wraps to -8; 4 * 2^62 and 8 * 2^60 wrap to 0. An offset past
        // ±2^31 (`c[2^63 - 1]`) is computed in a register, so that passes adding to offsets
        // cannot overflow either.
        #expect(ir.contains("- 8]") || ir.contains("-8]"), "\(ir)")
        #expect(ir.contains("9223372036854775807"), "\(ir)")
    }

    /// `memcmp(buf, "GET ", 4)` compares with the literal's bytes as immediates, as clang
    /// folds it: no load from .rodata.
    @Test func memcmpWithAStringLiteralComparesImmediates() throws {
        let ir = try optimizedIR(of: """
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            char copy[4] = { ctx[0], ctx[1], ctx[2], ctx[3] };
            return __builtin_memcmp(copy, "GET ", 4) == 0;
        }
        """)
        #expect(!ir.contains("symbol"), "the literal is read from memory:\n\(ir)")
        for byte in [71, 69, 84, 32] { #expect(ir.contains(", \(byte) ?"), "no compare with \(byte):\n\(ir)") }
    }

    /// Volatile accesses happen as written: three reads through a volatile pointer (one
    /// unused), both stores to a volatile local and its read stay.
    @Test func volatileAccessesAreNotMergedOrDropped() throws {
        let ir = try optimizedIR(of: """
        SEC("raw_tp/x") int v(unsigned long long *ctx)
        {
            volatile unsigned long long *p = (void *)ctx;
            unsigned long long a = *p;
            (void)*p;
            unsigned long long b = *p;
            volatile int local = 5;
            local = 6;
            return a + b + local;
        }
        """)
        let lines = ir.split(separator: "\n")
        #expect(lines.filter { $0.contains("load.w64 [%") }.count == 3, "\(ir)")
        #expect(lines.filter { $0.contains("store.w32 [$") }.count == 2, "\(ir)")
        #expect(lines.filter { $0.contains("load.w32 [$") }.count == 1, "\(ir)")
    }

    /// A volatile global read between two reads of the context's fields is read again
    /// each time, but the context fields are not (only stores through the context, calls
    /// and assembly change them); a global read back after a store through another
    /// register holding its address reads the stored value.
    @Test func volatileLoadsForgetOnlyTheirOwnMemory() throws {
        let ir = try optimizedIR(of: """
        const volatile int cfg = 3;
        unsigned int counter;
        struct md { unsigned int data, data_end; };
        SEC("xdp") int v(struct md *ctx)
        {
            if (ctx->data + 4 > ctx->data_end)
                return 0;
            int c = cfg;
            counter += c;
            unsigned int n = counter;
            int d = cfg;
            return (ctx->data_end - ctx->data) * c + d + n;
        }
        """)
        let lines = ir.split(separator: "\n")
        #expect(lines.filter { $0.contains("load.w32 [%0 + 0]") }.count == 1, "\(ir)")
        #expect(lines.filter { $0.contains("load.w32 [%0 + 4]") }.count == 1, "\(ir)")
        let cfgAddresses = Set(lines.filter { $0.contains("symbol cfg") }.compactMap { $0.split(separator: " ").first })
        let cfgLoads = lines.filter { l in l.contains("load.w32 [") && cfgAddresses.contains { l.contains("[\($0) + 0]") } }
        #expect(cfgLoads.count == 2, "\(ir)")
        let counterAddresses = Set(lines.filter { $0.contains("symbol counter") }.compactMap { $0.split(separator: " ").first })
        let counterLoads = lines.filter { l in l.contains("load.w32 [") && counterAddresses.contains { l.contains("[\($0) + 0]") } }
        #expect(counterLoads.count == 1, "\(ir)")
    }

    /// `#pragma unroll` (no count) and `#pragma clang loop unroll(full)` unroll loops of
    /// more iterations than are unrolled unasked; `#pragma unroll 4` does not ask.
    @Test func unrollPragmasAskForFullUnrolling() throws {
        func loads(_ pragma: String) throws -> Int {
            let ir = try optimizedIR(of: """
            SEC("raw_tp/x") int u(unsigned char *p)
            {
                unsigned long s = 0;
            \(pragma)
                for (int i = 0; i < 48; i++)
                    s = s * 3 + p[i];
                return s;
            }
            """)
            return ir.split(separator: "\n").filter { $0.contains("load.w8") }.count
        }
        #expect(try loads("#pragma unroll") == 48)
        #expect(try loads("#pragma clang loop unroll(full)") == 48)
        #expect(try loads("#pragma unroll 4") == 1)
        #expect(try loads("") == 1)
    }

    /// The stack temporaries of aggregates of 8 bytes and more (a statement expression's
    /// value, as `BPF_CORE_READ` of a struct member yields, a compound literal) are 8-byte
    /// aligned as locals are, whatever their type's alignment: copies move words (a
    /// 390-byte `char`-array struct in 49 steps, not 390). Only the read of the
    /// `char`-aligned source pointer goes byte by byte.
    @Test func aggregateTemporariesAreCopiedByWords() throws {
        let ir = try optimizedIR(of: """
        struct name { char s[64]; };
        SEC("raw_tp/x") int c(struct name *p)
        {
            struct name n = ({ struct name t = *p; t; });
            struct name m = (struct name){ .s = { 1 } };
            return n.s[3] + m.s[0];
        }
        """, level: 0)
        let lines = ir.split(separator: "\n")
        #expect(lines.filter { $0.contains("load.w8 [%") }.count == 64, "\(ir)")
        #expect(lines.filter { $0.contains("load.w8 [$") }.count == 2, "\(ir)")
        #expect(lines.filter { $0.contains("load.w64 [$") }.count == 24, "\(ir)")
        #expect(lines.filter { $0.contains("store.w64 [$") }.count == 16 + 8 + 8, "\(ir)")
    }

    /// An `int` passed among a variadic helper's arguments (`bpf_printk("%d", a)`) is read
    /// by the helper in its low 32 bits: a value just truncated to `int` passes the 64-bit
    /// register it came from, as clang passes it. A fixed `__u32` parameter and a promoted
    /// `char` still get their upper bits cleared.
    @Test func variadicIntArgumentsSkipTheirTruncation() throws {
        let ir = try optimizedIR(of: """
        static long (*bpf_trace_printk)(const char *fmt, unsigned int fmt_size, ...) = (void *) 6;
        static long (*bpf_fixed)(unsigned int a, unsigned int b) = (void *) 7;
        SEC("raw_tp/x") int v(unsigned long long *ctx)
        {
            int a = (int)ctx[0];
            unsigned char c = (unsigned char)ctx[1];
            static const char f[] = "%d %d";
            bpf_trace_printk(f, sizeof(f), a, c);
            bpf_fixed(a, (unsigned int)ctx[2]);
            return 0;
        }
        """)
        let lines = ir.split(separator: "\n").map(String.init)
        func register(loading offset: Int) -> String? {
            lines.first { $0.contains("load.w64") && $0.hasSuffix("+ \(offset)]") }?.split(separator: " ").first.map(String.init)
        }
        guard let a = register(loading: 0), let third = register(loading: 16) else { Issue.record("\(ir)"); return }
        let printk = lines.first { $0.contains("call helper 6(") } ?? ""
        let fixed = lines.first { $0.contains("call helper 7(") } ?? ""
        #expect(printk.contains(", \(a), "), "\(ir)")
        #expect(!fixed.contains("(\(a),") && !fixed.contains(" \(third))"), "\(ir)")
        #expect(lines.contains { $0.contains("zext.w8") || $0.contains("and.w") }, "\(ir)")
    }

    /// A counted loop left on a second, variable bound (`if (i >= n) break;`) stays a
    /// loop, as clang keeps it; `#pragma unroll` still unrolls it, and without the
    /// variable bound (a data-dependent `break`) the loop unrolls unasked.
    @Test func loopsWithAVariableSecondBoundStayLoops() throws {
        func loads(_ pragma: String, _ exit: String) throws -> Int {
            let ir = try optimizedIR(of: """
            SEC("raw_tp/x") int u(unsigned char *p)
            {
                unsigned n = p[100], s = 0;
            \(pragma)
                for (unsigned i = 0; i < 8; i++) {
                    \(exit)
                    s += p[i];
                }
                return s + n;
            }
            """)
            return ir.split(separator: "\n").filter { $0.contains("load.w8") }.count - 1
        }
        #expect(try loads("", "if (i >= n) break;") == 1)
        #expect(try loads("", "if (n <= i) break;") == 1)
        #expect(try loads("#pragma unroll", "if (i >= n) break;") == 8)
        #expect(try loads("", "if (p[i] == n) break;") == 8)
        #expect(try loads("", "if (i >= 5) break;") == 5)
    }

    /// As clang's inliner: a big static function called from two programs stays one
    /// BPF-to-BPF sub-program; a small one, or one called once, is inlined.
    @Test func bigStaticFunctionsCalledTwiceStaySubprograms() throws {
        let step = (0..<40).map { "    x = x * 3 + (x >> \($0 % 7 + 1));" }.joined(separator: "\n")
        let ir = try optimizedIR(of: """
        static unsigned long big(unsigned long x)
        {
        \(step)
            return x;
        }
        static unsigned long small(unsigned long x) { return x + 1; }
        static unsigned long once(unsigned long x)
        {
        \(step)
            return x;
        }
        SEC("raw_tp/a") int a(unsigned long long *ctx) { return big(ctx[0]) + small(ctx[1]); }
        SEC("raw_tp/b") int b(unsigned long long *ctx) { return big(ctx[1]) + small(ctx[0]) + once(ctx[2]); }
        """)
        #expect(ir.contains("function big section \".text\""), "\(ir.prefix(300))")
        #expect(ir.components(separatedBy: "call func big(").count - 1 == 2)
        #expect(!ir.contains("function small") && !ir.contains("function once"))
    }

    /// A `static const` table of structs of integers is fixed at compile time: its loads
    /// at known offsets are the constants they read, as clang folds them; a member that
    /// is volatile keeps the table in memory.
    @Test func constantTablesOfStructsAreFolded() throws {
        func ir(_ member: String) throws -> String {
            try optimizedIR(of: """
            struct rule { unsigned int addr; unsigned short port; \(member) weight; };
            static const struct rule rules[] = { { 0x0a00000a, 80, 3 }, { 0x0b00000a, 443, 5 } };
            SEC("raw_tp/a") int a(unsigned long long *ctx)
            {
                int w = 0;
                for (int i = 0; i < 2; i++)
                    if (rules[i].addr == ctx[0] && rules[i].port == ctx[1]) w = rules[i].weight;
                return w;
            }
            """)
        }
        let folded = try ir("unsigned short")
        #expect(!folded.contains("symbol rules"), "\(folded)")
        #expect(folded.contains("167772170") && folded.contains("443"), "\(folded)")
        let kept = try ir("volatile unsigned short")
        #expect(kept.contains("symbol rules"), "\(kept)")
    }

    /// Unsigned division and remainder by a power of two are a shift and a mask (which
    /// the verifier bounds; it knows nothing of a quotient or remainder), also when the
    /// divisor is a constant only after inlining; a division of a loop's variable stays a
    /// division (see ConstantFolding); signed ones keep C's rounding toward zero.
    @Test func unsignedDivisionByPowersOfTwoShiftsAndMasks() throws {
        let ir = try optimizedIR(of: """
        static unsigned long by(unsigned long x, unsigned long n) { return x / n + x % n; }
        SEC("raw_tp/a") int a(unsigned long long *ctx)
        {
            unsigned long x = ctx[0];
            unsigned int y = ctx[1];
            return (x % 64 == 1) + y / 16 + (y % 8) + by(x, 32);
        }
        SEC("raw_tp/b") int b(unsigned long long *ctx) { int s = ctx[0]; return s / 8 + s % 4; }
        SEC("raw_tp/c") int c(unsigned long long *ctx)
        {
            unsigned int n = ctx[0] & 0xff, k = 0;
            while (n > 1 && k < 50) { n = n / 2; k++; }
            return k;
        }
        """)
        let a = ir.components(separatedBy: "function b")[0]
        #expect(!a.contains("udiv") && !a.contains("urem"), "\(a)")
        for piece in [", 63", ", 4", ", 7", ", 5", ", 31"] { #expect(a.contains(piece), "\(piece)\n\(a)") }
        let b = ir.components(separatedBy: "function b")[1].components(separatedBy: "function c")[0]
        #expect(b.contains("ashr"), "\(b)")     // signed: rounding toward zero kept
        let c = ir.components(separatedBy: "function c")[1]
        #expect(c.contains("udiv"), "\(c)")     // a loop's variable
    }

    /// clang inlines `__always_inline` functions before it weighs the other calls: a big
    /// static function called once, from an always-inline wrapper that two programs use
    /// (libbpf-tools' filetop: kretprobes calling `probe_entry` through `finish`), is
    /// called twice and stays a sub-program; called through a wrapper only one program
    /// uses, it is inlined.
    @Test func callsThroughAlwaysInlineWrappersCountPerUse() throws {
        let step = (0..<40).map { "    x = x * 3 + (x >> \($0 % 7 + 1));" }.joined(separator: "\n")
        func ir(programsUsingWrapper: Int) throws -> String {
            let programs = (0..<2).map { i in
                i < programsUsingWrapper
                    ? "SEC(\"raw_tp/p\(i)\") int p\(i)(unsigned long long *ctx) { return wrapper(ctx[\(i)]); }"
                    : "SEC(\"raw_tp/p\(i)\") int p\(i)(unsigned long long *ctx) { return ctx[\(i)] + 1; }"
            }.joined(separator: "\n")
            return try optimizedIR(of: """
            static unsigned long big(unsigned long x)
            {
            \(step)
                return x;
            }
            static inline __attribute__((always_inline)) unsigned long wrapper(unsigned long x) { return x ? big(x) : 0; }
            \(programs)
            """)
        }
        let shared = try ir(programsUsingWrapper: 2)
        #expect(shared.contains("function big section \".text\""), "\(shared.prefix(300))")
        #expect(shared.components(separatedBy: "call func big(").count - 1 == 2)
        let single = try ir(programsUsingWrapper: 1)
        #expect(!single.contains("function big"), "\(single.prefix(300))")
    }

    /// Helper calls weigh as clang's inliner weighs calls: a short body that is mostly
    /// kernel reads (ebpf_exporter's pci.bpf.c shape: three BPF_CORE_READs and a map
    /// update) called from two programs stays one sub-program; a body of the same shape
    /// without helper calls is inlined.
    /// A memcmp tested only for (in)equality branches on the first differing byte and
    /// computes no difference; one whose sign is used still does.
    @Test func memcmpTestedForEqualityOnlyBranches() throws {
        func compile(_ test: String) throws -> String {
            try optimizedIR(of: """
            SEC("raw_tp/x") int m(unsigned long long *ctx)
            {
                char b[4] = { ctx[0], ctx[1], ctx[2], ctx[3] };
                if (\(test)) return 7;
                return 9;
            }
            """)
        }
        for test in ["!__builtin_memcmp(b, \"GET \", 4)", "__builtin_memcmp(b, \"GET \", 4) == 0", "__builtin_memcmp(\"GET \", b, 4) != 0"] {
            let ir = try compile(test)
            #expect(!ir.contains("sub.w32"), "\(test):\n\(ir)")
            for byte in [71, 69, 84, 32] { #expect(ir.contains(", \(byte) ?"), "\(test): no compare with \(byte):\n\(ir)") }
        }
        let ordered = try compile("__builtin_memcmp(b, \"GET \", 4) < 0")
        #expect(ordered.contains("sub.w32"), "\(ordered)")
    }

    /// `for (int i = 0; i < 40; i++) ... a[i], (long)i`: i never goes negative, so widening
    /// it needs no sign extension (clang widens such counters once); nor when the body
    /// only adds to it too (C's signed arithmetic may not overflow). A counter starting
    /// below zero, or one the body decreases, keeps it. (Expressions of the counter,
    /// `a[i + 4]`, are still extended.)
    @Test func nonNegativeLoopCountersWidenWithoutSignExtension() throws {
        func loop(_ header: String, _ extra: String = "") throws -> String {
            try optimizedIR(of: """
            SEC("raw_tp/x") int m(unsigned long long *ctx)
            {
                unsigned char a[48];
                __builtin_memcpy(a, (void *)ctx, 48);
                unsigned long s = 0;
                for (\(header)) {
                    if (a[i] == 0) break;
                    s += a[i] * 3 + (long)i;\(extra)
                }
                return s;
            }
            """)
        }
        let plain = try loop("int i = 0; i < 40; i++")
        #expect(!plain.contains("sext.w32.w64"), "\(plain)")
        let negativeStart = try loop("int i = -4; i < 40; i++")
        #expect(negativeStart.contains("sext.w32.w64"), "\(negativeStart)")
        let increased = try loop("int i = 0; i < 40; i++", " if (s > 100) i += 2;")
        #expect(!increased.contains("sext.w32.w64"), "\(increased)")
        let decreased = try loop("int i = 0; i < 40; i++", " if (s > 100) i -= 2;")
        #expect(decreased.contains("sext.w32.w64"), "\(decreased)")
    }

    @Test func helperCallsWeighInTheInliningDecision() throws {
        let reads = (0..<8).map { "    bpf_probe_read_kernel(&v[\($0)], 8, p + \($0));" }.joined(separator: "\n")
        let ir = try optimizedIR(of: """
        static long (*bpf_probe_read_kernel)(void *dst, unsigned int size, const void *src) = (void *) 113;
        static unsigned long reads(const unsigned long *p)
        {
            unsigned long v[8] = {};
        \(reads)
            return v[0] * 3 + v[1] - v[2] + v[7];
        }
        static unsigned long sums(const unsigned long long *p) { return p[0] * 3 + p[1] - p[2]; }
        SEC("raw_tp/a") int a(unsigned long long *ctx) { return reads((void *)ctx[0]) + sums(ctx); }
        SEC("raw_tp/b") int b(unsigned long long *ctx) { return reads((void *)ctx[1]) + sums(ctx + 1); }
        """)
        #expect(ir.contains("function reads section \".text\""), "\(ir.prefix(300))")
        #expect(!ir.contains("function sums"))
    }
}

extension DriverEndToEndTests {
    /// Lowering marks the equal side of a test between two pointers as rare (LLVM's
    /// pointer heuristic), and only there: not for a test against NULL whose side ends the
    /// program, not for integers.
    @Test func equalPointersAreMarkedUnlikely() throws {
        let ir = try optimizedIR(of: """
        static long (*bpf_probe_read_kernel)(void *dst, unsigned size, const void *src) = (void *)113;
        struct node { struct node *parent; int v; };
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            struct node *n = (struct node *)ctx[0], *p = 0;
            int sum = 0;
            for (int i = 0; i < 4; i++) {
                bpf_probe_read_kernel(&p, sizeof(p), &n->parent);
                if (p == n) { sum += 100; break; }
                sum += i;
                n = p;
            }
            return sum;
        }
        """)
        #expect(ir.components(separatedBy: "; unlikely").count - 1 >= 1, "\(ir)")
        let plain = try optimizedIR(of: """
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            void *p = (void *)ctx[0];
            if (p == 0 || ctx[1] == ctx[2]) return 1;
            return 2;
        }
        """)
        #expect(!plain.contains("unlikely"), "\(plain)")
    }

    /// A test against NULL marks its NULL side rare where that side is an `if`'s arm that
    /// leaves to code that goes on: a `return` from an inlined function, a `continue`.
    /// Not a `return` that ends the program, and not an arm that does work and rejoins.
    /// (An arm left empty, a bare `continue`, is threaded away with its mark.)
    @Test func nullSidesThatLeaveEarlyAreMarkedUnlikely() throws {
        let header = """
        static long (*bpf_probe_read_kernel_str)(void *dst, unsigned size, const void *src) = (void *)115;
        """
        func marks(_ body: String) throws -> Int {
            try optimizedIR(of: header + body).components(separatedBy: "; unlikely").count - 1
        }
        let inlinedReturn = try marks("""
        static __attribute__((always_inline)) unsigned read(char *out, unsigned long long where)
        {
            const char *src = (const char *)where;
            if (!src)
                return 0;
            unsigned n = bpf_probe_read_kernel_str(out, 8, src);
            return n > 8 ? 0 : n;
        }
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            char buf[64];
            unsigned off = 0;
            #pragma clang loop unroll(disable)
            for (int i = 0; i < 4; i++)
                off += read(buf + (off & 31), ctx[i]);
            return off;
        }
        """)
        #expect(inlinedReturn >= 1)
        let continued = try marks("""
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            char buf[16];
            int sum = 0;
            #pragma clang loop unroll(disable)
            for (int i = 0; i < 4; i++) {
                const char *src = (const char *)ctx[i];
                if (src == 0) {
                    sum -= 1;
                    continue;
                }
                sum += bpf_probe_read_kernel_str(buf, 8, src);
            }
            return sum;
        }
        """)
        #expect(continued >= 1)
        let ending = try marks("""
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            char buf[16];
            const char *src = (const char *)ctx[0];
            if (!src)
                return 1;
            return bpf_probe_read_kernel_str(buf, 8, src);
        }
        """)
        #expect(ending == 0)
        let rejoining = try marks("""
        SEC("raw_tp/x") int m(unsigned long long *ctx)
        {
            char buf[16];
            const char *src = (const char *)ctx[0];
            if (!src) {
                buf[0] = 0;
                src = buf;
            }
            return bpf_probe_read_kernel_str(buf + 8, 8, src);
        }
        """)
        #expect(rejoining == 0)
    }
}
