import Glibc
import BPFFrontend
import BPFIR
import BPFLower
import BPFCodegen
import BPFELF

/// Orchestrates one invocation: options → front end → lowering → codegen → BTF → ELF.
public enum Driver {
    public static let version = "swift-bpfcc 0.1.0 (eBPF target; C front end: libclang 22)"

    /// Runs the compiler; returns the process exit code. Diagnostics go to `stderr`.
    /// `cacheBuilder` is the swift-bpfcc executable to start, detached, when a compile
    /// found no parse-cache entry (it builds the entry for the next compile; the
    /// executable passes itself). A program that embeds the driver has no such executable
    /// of its own: without one, nothing is started (`--build-parse-cache` builds an entry).
    public static func run(arguments: [String], cacheBuilder: String? = nil,
                           stdout: (String) -> Void = { print($0, terminator: "") },
                           stderr: (String) -> Void = { System.writeError($0) }) -> Int32 {
        let options: Options
        do { options = try OptionParser.parse(arguments) } catch {
            stderr("swift-bpfcc: \(error)\n")
            return 1
        }
        if options.showHelp { stdout(OptionParser.helpText + "\n"); return 0 }
        if options.showVersion { stdout(version + "\n"); return 0 }
        if options.verbose { stderr(verboseText(options)) }
        if options.preprocessOnly { return preprocessEmptyInputs(options, stderr: stderr) }
        guard !options.inputs.isEmpty else { stderr("swift-bpfcc: error: no input files\n"); return 1 }
        if options.buildParseCache {
            for input in options.inputs { Frontend.buildCache(file: input, arguments: frontendArguments(options)) }
            return 0
        }
        if options.output != nil && options.inputs.count > 1 && !options.emitIR {
            stderr("swift-bpfcc: error: cannot specify -o when generating multiple output files\n")
            return 1
        }
        var printer = DiagnosticPrinter()
        var failures = 0
        for input in options.inputs {
            let output = options.output ?? defaultOutput(for: input)
            // A failed compile leaves no object behind, not even an older one from an
            // earlier run (clang removes it too): make must not take it for up to date.
            let failuresBefore = failures
            defer { if failures > failuresBefore && !options.emitIR && output != "-" { System.removeRegularFile(output) } }
            do {
                let result = try compile(file: input, options: options)
                for w in result.warnings { stderr(printer.render(w)) }
                if options.emitIR {
                    stdout(result.irText)
                } else {
                    try writeAtomically(result.object, to: output)
                    if options.writeDependencies {
                        try writeDependencies(options: options, input: input, output: output, files: result.includedFiles)
                    }
                }
            } catch let list as DiagnosticList {
                for d in list.diagnostics { stderr(printer.render(d)) }
                let errors = list.diagnostics.filter { $0.severity == .error }.count
                stderr("\(errors) error\(errors == 1 ? "" : "s") generated.\n")
                failures += 1
            } catch let e as Diagnostic {
                stderr(printer.render(e))
                stderr("1 error generated.\n")
                failures += 1
            } catch {
                stderr("swift-bpfcc: error: \(error)\n")
                failures += 1
            }
        }
        if let builder = cacheBuilder, Frontend.cacheMiss && failures == 0 && System.environment("SWIFT_BPFCC_NO_CACHE_BUILD") == nil {
            System.spawnDetached([builder] + cacheBuilderArguments(arguments))
        }
        return failures > 0 ? 1 : 0
    }

    /// The arguments of the detached process that builds the missing parse-cache entries,
    /// so that this compilation does not wait for them (the next one uses them): the
    /// compile's, without its outputs.
    static func cacheBuilderArguments(_ arguments: [String]) -> [String] {
        var argv = ["--build-parse-cache"]
        var skip = false
        for a in arguments {
            if skip { skip = false; continue }
            if a == "-o" || a == "-MF" || a == "-MT" || a == "-MQ" { skip = true; continue }
            if a.hasPrefix("-o") || a == "-c" || a == "-MD" || a == "-MMD" || a == "-emit-ir" { continue }
            argv.append(a)
        }
        return argv
    }

    /// What `-v` prints, in clang's layout: BPF Makefiles read the system include
    /// directories from the lines between "search starts here:" and "End of search list."
    /// (`$(CLANG) -v -E - </dev/null`) and pass them back with -idirafter.
    static func verboseText(_ options: Options) -> String {
        let user = options.clangArguments.compactMap { a -> String? in
            a.hasPrefix("-I") && a.count > 2 ? String(a.dropFirst(2)) : nil
        }
        let dirs = user + Frontend.systemIncludeDirectories(hostMultiarch: true)
        return version + "\nTarget: " + (options.endianness == .big ? "bpfeb" : "bpfel")
            + "\n#include \"...\" search starts here:\n#include <...> search starts here:\n"
            + dirs.map { " " + $0 + "\n" }.joined() + "End of search list.\n"
    }

    /// `-E`: the preprocessed form of an empty input is empty; anything else is refused
    /// plainly (swift-bpfcc writes objects, it has no text preprocessor output).
    static func preprocessEmptyInputs(_ options: Options, stderr: (String) -> Void) -> Int32 {
        for input in options.inputs.isEmpty ? ["-"] : options.inputs {
            let data = input == "-" ? System.readStandardInput() : System.readFile(input)
            guard let bytes = data else { stderr("swift-bpfcc: error: no such file or directory: '\(input)'\n"); return 1 }
            if bytes.contains(where: { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }) {
                stderr("swift-bpfcc: error: -E (preprocessed output) is supported only for empty input: "
                       + "swift-bpfcc writes BPF objects; use -c\n")
                return 1
            }
        }
        return 0
    }

    static func frontendArguments(_ options: Options) -> [String] {
        var clangArgs = options.clangArguments
        clangArgs += ["-target", options.endianness == .big ? "bpfeb" : "bpf", "-mcpu=v\(options.cpu)"]
        if options.optimizationLevel > 0 { clangArgs.append("-O\(options.optimizationLevel)") }
        return clangArgs
    }

    static func defaultOutput(for input: String) -> String {
        let base = System.lastComponent(of: input)
        let stem = base.hasSuffix(".c") ? String(base.dropLast(2)) : base
        return stem + ".o"
    }

    public struct CompileResult {
        public var object: [UInt8]
        public var warnings: [Diagnostic]
        public var irText: String
        public var includedFiles: [String]
    }

    /// Compiles one C file into the bytes of an ELF object (or throws diagnostics).
    public static func compile(file: String, options: Options) throws -> CompileResult {
        let t0 = System.nanoseconds()
        // `-` (with `-x c`): the program on standard input, named `<stdin>` as clang names it.
        let fromStandardInput = file == "-"
        if fromStandardInput && standardInputBytes == nil { standardInputBytes = System.readStandardInput() }
        let text = fromStandardInput ? String(decoding: standardInputBytes ?? [], as: UTF8.self) : nil
        let unit = try Frontend.parse(file: fromStandardInput ? "<stdin>" : file,
                                      arguments: frontendArguments(options) + (fromStandardInput ? ["-x", "c"] : []),
                                      useCache: options.parseCache, listsIncludedFiles: options.writeDependencies, text: text)
        let t1 = System.nanoseconds()
        defer {
            if System.timesStages {
                let t2 = System.nanoseconds()
                System.writeError("swift-bpfcc: time: parse \(Double(t1 - t0) / 1e6) ms, lower+codegen+btf+elf \(Double(t2 - t1) / 1e6) ms\n")
            }
        }
        let lowering = LoweringOptions(cpu: options.cpu, optimize: options.optimizationLevel > 0, bigEndian: options.endianness == .big,
                                       core: options.coreEnabled)
        var (prog, results) = try backEnd(unit, lowering, options, timed: true)
        // A frame over the limit: once more with each local in a slot of its own, which the
        // frame layout shares by where each is in use (lowering's sharing by scopes makes
        // one slot of many locals far apart, in use from the first to the last: tracee's
        // kprobes). A function that stands alone takes the second try's code where only
        // that fits.
        if results.contains(where: { if case .failure(let e) = $0 { return e.frameTooLarge }; return false }) {
            try secondTry(unit, lowering, options, &prog, &results)
        }
        var compiled: [CompiledFunction] = []
        var errors: [Diagnostic] = []
        for result in results {
            switch result {
            case .success(let c): compiled.append(c)
            case .failure(let e):
                let loc = e.location.map { SourceLocation(file: $0.file, line: $0.line, column: $0.column) } ?? .unknown
                errors.append(Diagnostic(.error, loc, e.message))
            }
        }
        if !errors.isEmpty { throw DiagnosticList(errors) }
        let ir = options.emitIR ? IRPrinter.print(prog.module) : ""
        let object = try ObjectAssembler(unit: unit, program: prog, functions: compiled, options: options).assemble()
        let bytes = try ELFWriter.write(object)
        return CompileResult(object: bytes, warnings: unit.warnings, irText: ir, includedFiles: unit.includedFiles)
    }

    /// The functions of `prog` whose frame is over the limit and that stand alone (no call
    /// ties them to another), lowered again with every local in a slot of its own,
    /// optimized among the others as they are, and compiled: each takes that code in
    /// `prog` and `results` where it compiles, so long as the optimizer knows the same of
    /// the globals with it as it knew when it optimized the others.
    static func secondTry(_ unit: TranslationUnit, _ lowering: LoweringOptions, _ options: Options,
                          _ prog: inout LoweredProgram, _ results: inout [Result<CompiledFunction, CodegenError>]) throws {
        let alone = CallChainFrames.standsAlone(prog.module.functions)
        var retried = Set<String>()
        for i in results.indices where alone[i] {
            if case .failure(let e) = results[i], e.frameTooLarge { retried.insert(prog.module.functions[i].name) }
        }
        guard !retried.isEmpty else { return }
        var apart = lowering
        apart.sharesScopeSlots = false
        var second = try Lowering.lower(unit, options: apart)
        guard second.coreTypes == prog.coreTypes, second.dataSections == prog.dataSections else { return }
        // The others as the first try optimized them (those it dropped, uncalled once
        // optimized, go through again).
        let firstTry = Dictionary(prog.module.functions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, f) in second.module.functions.enumerated() where !retried.contains(f.name) {
            if let g = firstTry[f.name] { second.module.functions[i] = g }
        }
        second.module = Optimizer.run(second.module, level: options.optimizationLevel, optimized: Set(firstTry.keys).subtracting(retried))
        guard second.module.knowsTheSameOfGlobals(as: prog.module) else { return }
        let codegen = codegenOptions(options)
        for (i, f) in prog.module.functions.enumerated() where retried.contains(f.name) {
            guard let g = second.module.functions.first(where: { $0.name == f.name }),
                  let compiled = try? Codegen.compile(g, options: codegen) else { continue }
            results[i] = .success(compiled)
            prog.module.functions[i] = g
        }
    }

    static func codegenOptions(_ options: Options) -> CodegenOptions {
        CodegenOptions(cpu: options.cpu, bigEndian: options.endianness == .big)
    }

    /// `unit` lowered with `lowering`, optimized and compiled: the program (its module the
    /// optimized one) and each function's code or error. `timed`: the stages' times
    /// reported (SWIFT_BPFCC_TIME_STAGES).
    static func backEnd(_ unit: TranslationUnit, _ lowering: LoweringOptions, _ options: Options,
                        timed: Bool) throws -> (LoweredProgram, [Result<CompiledFunction, CodegenError>]) {
        let t1 = System.nanoseconds()
        var prog = try Lowering.lower(unit, options: lowering)
        let tL = System.nanoseconds()
        prog.module = Optimizer.run(prog.module, level: options.optimizationLevel)
        let tO = System.nanoseconds()
        let results = CallChainFrames.compile(prog.module.functions, options: codegenOptions(options))
        let tC = System.nanoseconds()
        if timed && System.timesStages {
            System.writeError("swift-bpfcc: time: lowering \(Double(tL - t1) / 1e6) ms, optimizer \(Double(tO - tL) / 1e6) ms, codegen \(Double(tC - tO) / 1e6) ms\n")
        }
        return (prog, results)
    }

    /// The program read from standard input (`-`), kept for the line texts of .BTF.ext
    /// and of diagnostics, which name it `<stdin>`.
    nonisolated(unsafe) static var standardInputBytes: [UInt8]? = nil

    /// A source file's bytes: `<stdin>` is what standard input held.
    static func sourceBytes(_ file: String) -> [UInt8]? {
        file == "<stdin>" && standardInputBytes != nil ? standardInputBytes : System.readFile(file)
    }

    /// Writes through a temporary file and a rename, so no half object is ever left behind.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        // `-o -`: the object goes to standard output, as clang's does.
        if path == "-" {
            guard System.writeStandardOutput(bytes) else { throw Diagnostic(.error, .unknown, "unable to write the object to standard output") }
            return
        }
        do { try System.writeAtomically(path, bytes) } catch {
            throw Diagnostic(.error, .unknown, error == .write ? "unable to open output file '\(path)'" : "unable to write output file '\(path)'")
        }
    }

    static func writeDependencies(options: Options, input: String, output: String, files: [String]) throws {
        let depPath = options.dependencyFile ?? (output.hasSuffix(".o") ? String(output.dropLast(2)) + ".d" : output + ".d")
        let targets = options.dependencyTargets.isEmpty ? [output] : options.dependencyTargets
        let text = targets.joined(separator: " ") + ": " + files.joined(separator: " \\\n  ") + "\n"
        try writeAtomically(Array(text.utf8), to: depPath)
    }
}
