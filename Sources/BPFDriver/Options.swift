/// Command-line options, parsed the way clang parses them (Makefiles call us as clang).
public struct Options: Hashable, Sendable {
    public enum Endianness: Hashable, Sendable { case little, big }

    public var inputs: [String] = []
    public var output: String?
    public var compileOnly = false
    public var optimizationLevel = 0
    public var debugInfo = false        // -g: BTF with line info (we emit no DWARF)
    public var btfOnly = false          // -gbtf
    public var core: Bool? = nil        // -mcore / -mno-core; nil: default (on)
    public var endianness: Endianness = .little
    public var cpu = 3
    public var clangArguments: [String] = []   // handed to libclang (-I, -D, -W ...)
    public var showHelp = false
    public var showVersion = false
    public var dependencyFile: String? = nil   // -MD/-MMD with -MF
    public var writeDependencies = false
    public var dependencyTargets: [String] = []
    public var emitIR = false                  // -emit-ir: print our IR instead of an object
    public var parseCache = true               // --no-parse-cache turns the prefix cache off
    public var buildParseCache = false         // internal: build the cache entry and exit
    public var verbose = false                 // -v: version and include search list on stderr
    public var preprocessOnly = false          // -E: only the empty-input probe Makefiles run

    public init() {}

    /// CO-RE relocations are on unless -mno-core (as with GCC: -gbtf implies -mcore).
    public var coreEnabled: Bool { core ?? true }
    /// Line info in .BTF.ext.
    public var lineInfo: Bool { debugInfo || btfOnly }
}

public struct OptionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ m: String) { message = m }
    public var description: String { "error: \(message)" }
}

public enum OptionParser {
    /// Flags that change nothing for BPF code generation but appear in real Makefiles.
    static let ignoredFlags: Set<String> = [
        "-fno-stack-protector", "-fstack-protector", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables",
        "-fomit-frame-pointer", "-fno-omit-frame-pointer", "-fno-common", "-fcommon", "-ffreestanding",
        "-fno-builtin", "-fno-strict-aliasing", "-fstrict-aliasing", "-fno-PIE", "-fno-pie", "-fPIC", "-fpic",
        "-fno-PIC", "-fno-pic", "-fcolor-diagnostics", "-fno-color-diagnostics", "-fdiagnostics-color",
        "-fno-jump-tables", "-fno-delete-null-pointer-checks", "-fno-strict-overflow", "-fwrapv",
        "-fno-optimize-sibling-calls", "-fno-inline-functions", "-funsigned-char", "-fsigned-char",
        "-fno-ident", "-fshort-wchar", "-fno-exceptions", "-fno-trapping-math", "-fno-stack-check",
        "-fno-stack-clash-protection", "-fcf-protection=none", "-fno-semantic-interposition",
        "-fno-lto", "-ffunction-sections", "-fdata-sections", "-fno-function-sections", "-fno-data-sections",
        "-fno-addrsig", "-faddrsig", "-fno-integrated-as", "-fintegrated-as", "-fms-extensions",
        "-Qunused-arguments", "-pipe", "-nostdinc", "-nostdlib", "-static", "-mlittle-endian",
        "-mno-global-merge", "-fno-var-tracking", "-fno-var-tracking-assignments", "-fverbose-asm",
        "-g0", "-fno-discard-value-names", "-fdebug-default-version=4", "-fdebug-default-version=5",
        "-gdwarf", "-gdwarf-4", "-gdwarf-5", "-gdwarf-aranges", "-gcolumn-info", "-gno-column-info",
        "-gline-tables-only", "-fstandalone-debug", "-fno-standalone-debug", "-g1", "-g2", "-g3", "-ggdb",
        "-mno-red-zone", "-Xclang", "-fno-PIE", "-fno-asm-blocks", "-fno-stack-protector-all",
    ]

    public static func parse(_ args: [String]) throws -> Options {
        var o = Options()
        var i = 0
        func value(_ flag: String) throws -> String {
            i += 1
            guard i < args.count else { throw OptionError("argument to '\(flag)' is missing (expected 1 value)") }
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            defer { i += 1 }
            if !a.hasPrefix("-") || a == "-" { o.inputs.append(a); continue }
            switch a {
            case "-c": o.compileOnly = true
            case "-v": o.verbose = true
            case "-E": o.preprocessOnly = true
            case "-o": o.output = try value(a)
            case "-O0": o.optimizationLevel = 0
            case "-O", "-O1": o.optimizationLevel = 1
            case "-O2", "-Os", "-Oz": o.optimizationLevel = 2
            case "-O3", "-Ofast": o.optimizationLevel = 3
            case "-g", "-ggdb", "-g1", "-g2", "-g3", "-gdwarf", "-gdwarf-4", "-gdwarf-5": o.debugInfo = true
            case "-g0": o.debugInfo = false
            case "-gbtf": o.btfOnly = true; if o.core == nil { o.core = true }
            case "-mcore": o.core = true
            case "-mno-core": o.core = false
            case "-target": try setTarget(try value(a), &o)
            case "-mbig-endian": o.endianness = .big
            case "-I", "-isystem", "-idirafter", "-include", "-D", "-U", "-iquote", "-imacros":
                o.clangArguments += [a, try value(a)]
            case "-x":
                let lang = try value(a)
                guard lang == "c" else { throw OptionError("language '\(lang)' is not supported (only C)") }
            case "-w", "-Werror", "-pedantic", "-Wall", "-Wextra": o.clangArguments.append(a)
            case "--help", "-help": o.showHelp = true
            case "--version": o.showVersion = true
            case "-MD", "-MMD": o.writeDependencies = true
            case "-MF": o.dependencyFile = try value(a)
            case "-MT", "-MQ": o.dependencyTargets.append(try value(a))
            case "-MP": break
            case "-emit-ir": o.emitIR = true
            case "--no-parse-cache": o.parseCache = false
            case "--build-parse-cache": o.buildParseCache = true
            case "-Xclang": _ = try value(a)
            default:
                if a.hasPrefix("--target=") { try setTarget(String(a.dropFirst(9)), &o) }
                else if a.hasPrefix("-mcpu=") { o.cpu = try cpu(String(a.dropFirst(6))) }
                else if a.hasPrefix("-o") { o.output = String(a.dropFirst(2)) }
                else if a.hasPrefix("-I") || a.hasPrefix("-D") || a.hasPrefix("-U") || a.hasPrefix("-std=")
                            || a.hasPrefix("-W") || a.hasPrefix("-isystem") || a.hasPrefix("-idirafter")
                            || a.hasPrefix("-iquote") {
                    o.clangArguments.append(a)
                } else if a.hasPrefix("-MF") { o.dependencyFile = String(a.dropFirst(3)) }
                else if a.hasPrefix("-O") {
                    throw OptionError("invalid integral value '\(a.dropFirst(2))' in '\(a)'")
                } else if ignoredFlags.contains(a) || a.hasPrefix("-fdebug-prefix-map=") || a.hasPrefix("-fmacro-prefix-map=")
                            || a.hasPrefix("-ffile-prefix-map=") || a.hasPrefix("-fmessage-length=")
                            || a.hasPrefix("-fdiagnostics-") || a.hasPrefix("-ferror-limit=") || a.hasPrefix("-mattr=")
                            || a.hasPrefix("-march=") || a.hasPrefix("-mtune=") || a.hasPrefix("-fvisibility=") {
                    continue
                } else {
                    throw OptionError("unknown argument: '\(a)'")
                }
            }
        }
        return o
    }

    static func setTarget(_ t: String, _ o: inout Options) throws {
        switch t {
        case "bpf", "bpfel", "bpf-unknown-none", "bpfel-unknown-none", "bpf-pc-linux", "bpfel-pc-linux": o.endianness = .little
        case "bpfeb", "bpfeb-unknown-none", "bpfeb-pc-linux": o.endianness = .big
        default: throw OptionError("unsupported target '\(t)': swift-bpfcc only targets bpf, bpfel and bpfeb")
        }
    }

    static func cpu(_ s: String) throws -> Int {
        switch s {
        case "generic", "v1": return 1
        case "v2": return 2
        case "v3", "probe": return 3
        case "v4": return 4
        default: throw OptionError("unknown target CPU '\(s)' (expected generic, v1, v2, v3 or v4)")
        }
    }

    public static let helpText = """
    OVERVIEW: swift-bpfcc — a C to eBPF compiler (drop-in for clang -target bpf)

    USAGE: swift-bpfcc [options] file.c...

    OPTIONS:
      -c                      Compile to a relocatable BPF object (the only mode)
      -o <file>               Write output to <file> (default: <input>.o)
      -O0 -O1 -O2 -O3 -Os     Optimisation level (static functions are inlined from -O1)
      -g                      Emit BTF with line info (.BTF.ext line_info); no DWARF is written
      -gbtf                   Emit BTF and .BTF.ext without DWARF; implies -mcore
      -mcore / -mno-core      CO-RE relocation records on (default) / off
      -target bpf|bpfel|bpfeb, --target=<triple>
      -mcpu=generic|v1|v2|v3|v4   Instruction set version (default v3)
      -I<dir> -isystem <dir> -idirafter <dir> -include <file> -iquote <dir>
      -D<macro>[=<value>] -U<macro> -std=<standard> -W<warning> -Werror -w
                              Handed to the C front end (libclang)
      -MD -MMD -MF <file> -MT <target>
                              Write a make dependency file
      -emit-ir                Print swift-bpfcc's IR instead of writing an object
      --no-parse-cache        Do not use the on-disk cache of parsed #include prefixes
                              (also SWIFT_BPFCC_NO_CACHE=1; location: SWIFT_BPFCC_CACHE_DIR,
                              default $XDG_CACHE_HOME/swift-bpfcc or ~/.cache/swift-bpfcc)
      -v                      Print the version and the #include search list on stderr
      -E                      Preprocess only: supported for empty input (`-v -E - </dev/null`,
                              the probe BPF Makefiles run for the search list); any other
                              input is an error (swift-bpfcc writes objects)
      --help, --version

    Code generation flags that mean nothing for BPF (-fno-stack-protector,
    -fno-asynchronous-unwind-tables, -fdebug-prefix-map=..., -march=... and the like)
    are accepted and ignored. Any other option is an error.
    """
}
