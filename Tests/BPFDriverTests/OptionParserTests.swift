import Testing
@testable import BPFDriver

@Suite struct OptionParserTests {
    @Test func clangStyleCompileLine() throws {
        let o = try OptionParser.parse(["-O2", "-g", "-target", "bpf", "-mcpu=v4", "-c", "prog.bpf.c", "-o", "prog.bpf.o",
                                        "-I/usr/include/x86_64-linux-gnu", "-I", "inc", "-DDEBUG=1", "-UFOO", "-Wall", "-Werror",
                                        "-std=gnu11", "-isystem", "/sys", "-include", "pre.h"])
        #expect(o.inputs == ["prog.bpf.c"])
        #expect(o.output == "prog.bpf.o")
        #expect(o.compileOnly)
        #expect(o.optimizationLevel == 2)
        #expect(o.debugInfo)
        #expect(o.cpu == 4)
        #expect(o.endianness == .little)
        #expect(o.clangArguments == ["-I/usr/include/x86_64-linux-gnu", "-I", "inc", "-DDEBUG=1", "-UFOO", "-Wall", "-Werror",
                                     "-std=gnu11", "-isystem", "/sys", "-include", "pre.h"])
    }

    @Test func targetsAndCPUs() throws {
        #expect(try OptionParser.parse(["--target=bpfeb", "x.c"]).endianness == .big)
        #expect(try OptionParser.parse(["-target", "bpfel", "x.c"]).endianness == .little)
        #expect(try OptionParser.parse(["x.c"]).cpu == 3)
        #expect(try OptionParser.parse(["-mcpu=generic", "x.c"]).cpu == 1)
        #expect(try OptionParser.parse(["-mcpu=v2", "x.c"]).cpu == 2)
        #expect(throws: OptionError.self) { try OptionParser.parse(["-mcpu=v9", "x.c"]) }
        #expect(throws: OptionError.self) { try OptionParser.parse(["-target", "x86_64", "x.c"]) }
    }

    @Test func coreAndBTFDefaults() throws {
        let plain = try OptionParser.parse(["x.c"])
        #expect(plain.coreEnabled)
        #expect(!plain.lineInfo)
        let gbtf = try OptionParser.parse(["-gbtf", "x.c"])
        #expect(gbtf.coreEnabled && gbtf.lineInfo)
        #expect(!(try OptionParser.parse(["-mno-core", "x.c"]).coreEnabled))
    }

    @Test func meaninglessCodegenFlagsAreAccepted() throws {
        let o = try OptionParser.parse(["-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-fdebug-prefix-map=/a=/b",
                                        "-march=native", "x.c"])
        #expect(o.inputs == ["x.c"])
    }

    @Test func unknownOptionIsNamed() {
        do {
            _ = try OptionParser.parse(["-frobnicate", "x.c"])
            Issue.record("expected an error")
        } catch let e as OptionError {
            #expect(e.message.contains("-frobnicate"))
        } catch { Issue.record("unexpected error \(error)") }
    }

    @Test func missingValue() {
        #expect(throws: OptionError.self) { try OptionParser.parse(["x.c", "-o"]) }
    }
}
