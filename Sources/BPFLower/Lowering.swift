import BPFIR
import BPFFrontend

public enum Lowering {
    /// Lowers a translation unit: every program and global function, the static
    /// functions they call without inlining, and the globals they use.
    public static func lower(_ unit: TranslationUnit, options: LoweringOptions = LoweringOptions()) throws -> LoweredProgram {
        let m = ModuleLowering(unit: unit, options: options)
        return try m.run()
    }
}

/// Module-wide state of one lowering run.
final class ModuleLowering {
    let unit: TranslationUnit
    let options: LoweringOptions
    let layout: TypeLayout
    let functionsByName: [String: FunctionDecl]
    let globalsByName: [String: GlobalVar]
    /// Static functions that must exist as sub-programs (called without inlining, or address taken).
    var requestedFunctions: [String] = []
    var requestedSet: Set<String> = []
    /// Globals referenced by emitted code.
    var referencedGlobals: Set<String> = []
    var externFunctionsUsed: Set<String> = []
    /// Static functions called as sub-programs rather than inlined, and the sizes of the
    /// inlined ones (`InliningPolicy`).
    lazy var inlining: InliningPolicy.Decisions = options.optimize ? InliningPolicy.decisions(unit, layout: layout) : InliningPolicy.Decisions()
    var outlinedFunctions: Set<String> { inlining.outlined }
    /// String literals pooled into .rodata.str1.1.
    var stringPool: [UInt8] = []
    var stringOffsets: [[UInt8]: Int] = [:]
    var errors: [LoweringError] = []
    /// Root types of CO-RE relocations (see LoweredProgram.coreTypes).
    var coreTypes: [CType] = []
    var coreTypeIndex: [CType: Int] = [:]

    func coreTypeID(_ t: CType) -> Int {
        if let i = coreTypeIndex[t] { return i }
        coreTypes.append(t)
        coreTypeIndex[t] = coreTypes.count - 1
        return coreTypes.count - 1
    }

    static let stringSection = ".rodata.str1.1"

    init(unit: TranslationUnit, options: LoweringOptions) {
        self.unit = unit
        self.options = options
        self.layout = TypeLayout(unit: unit)
        var fns: [String: FunctionDecl] = [:]
        for f in unit.functions { if fns[f.name] == nil || f.body != nil { fns[f.name] = f } }
        functionsByName = fns
        var gs: [String: GlobalVar] = [:]
        for g in unit.globals { if gs[g.name] == nil || g.isDefinition { gs[g.name] = g } }
        globalsByName = gs
    }

    func run() throws -> LoweredProgram {
        var functions: [Function] = []
        var decls: [String: FunctionDecl] = [:]
        // Programs and global functions, in source order.
        for f in unit.functions where f.body != nil {
            if !f.isStatic || f.attributes.section != nil || f.attributes.used {
                request(f.name)
            }
        }
        var i = 0
        var data: [DataSection] = []
        // The data's initializers may take the address of a static function nothing else
        // calls (`int (*fp)(int) = h;`): it is lowered then, and the data laid out again
        // (what it references may add statics).
        repeat {
            while i < requestedFunctions.count {
                let name = requestedFunctions[i]; i += 1
                guard let decl = functionsByName[name], decl.body != nil else { continue }
                do {
                    let fl = FunctionLowering(module: self, decl: decl)
                    functions.append(try fl.lower())
                    decls[name] = decl
                } catch let e as LoweringError {
                    errors.append(e)
                }
            }
            if !errors.isEmpty { throw DiagnosticList(errors.map(\.diagnostic)) }
            data = try GlobalDataBuilder(module: self).build()
        } while i < requestedFunctions.count
        // Order: keep source order of functions for stable output.
        var order: [String: Int] = [:]
        for (i, f) in unit.functions.enumerated() where order[f.name] == nil { order[f.name] = i }
        functions.sort { (order[$0.name] ?? 0) < (order[$1.name] ?? 0) }
        var externs: [ExternSymbol] = []
        for g in unit.globals where g.isExtern && referencedGlobals.contains(g.name) {
            let sec = g.attributes.section ?? ".ksyms"
            externs.append(ExternSymbol(name: g.name, section: sec, type: g.type, isFunction: false, isWeak: g.attributes.weak))
        }
        for name in externFunctionsUsed.sorted() {
            if let f = functionsByName[name] {
                externs.append(ExternSymbol(name: name, section: ".ksyms", type: .function(f.type), isFunction: true,
                                            isWeak: f.attributes.weak))
                decls[name] = f
            }
        }
        // `static` variables of the default data sections that no function writes read as
        // their initializers, as `static const` ones do (neither `used` nor placed in a
        // section of their own: those are the loader's or another tool's to change).
        let statics = Set(unit.globals.filter { $0.isStatic && !$0.isExtern && !$0.attributes.used && $0.attributes.section == nil }
            .map(\.name))
        // Those written only at known bytes keep their initializer in the other bytes.
        let writes = UnwrittenGlobals.writes(statics, in: functions, bigEndian: options.bigEndian)
        var fixed = Self.fixedContents(data, records: unit.records, unwrittenStatics: statics, bigEndian: options.bigEndian)
        // The others' contents wait for the optimized functions' writes (those holding
        // addresses are left out).
        var unknownlyWritten: [String: [UInt8]] = [:]
        for name in statics where writes[name] == nil {
            let bytes = fixed.bytes.removeValue(forKey: name)
            let holdsAddresses = fixed.addresses.removeValue(forKey: name) != nil
            if let bytes, !holdsAddresses { unknownlyWritten[name] = bytes }
        }
        let written = writes.filter { !$0.value.ranges.isEmpty && fixed.bytes[$0.key] != nil }
        var module = Module(functions: functions, readOnlyData: fixed.bytes, readOnlyAddresses: fixed.addresses,
                            addressTaken: referencedGlobals,
                            writtenBytes: written.mapValues(\.ranges),
                            storedBytes: written.mapValues(\.constants).filter { !$0.value.isEmpty })
        module.unknownlyWritten = unknownlyWritten
        return LoweredProgram(module: module,
                              dataSections: data, externs: externs,
                              functionDecls: decls, coreTypes: coreTypes)
    }

    /// The contents of read-only objects of integers and pointers (and arrays and records
    /// of them) that are not volatile, and of the writable ones named in
    /// `unwrittenStatics` (no function writes them) whose address no data section holds:
    /// what clang folds loads from. The pointers the loader would fill are listed apart,
    /// by offset in their object, with the address they hold (data objects and strings
    /// only; an object holding a 4-byte address or a function's is left out).
    static func fixedContents(_ sections: [DataSection], records: [RecordDecl], unwrittenStatics: Set<String> = [],
                              bigEndian: Bool = false) -> (bytes: [String: [UInt8]], addresses: [String: [Int: SymbolRef]]) {
        // Integers and pointers, and arrays and records of them (a `static const` table
        // of backends or port rules, as clang folds it); nothing volatile.
        var visiting: Set<RecordID> = []
        func fixed(_ t: CType) -> Bool {
            switch t {
            case .int, .bool, .enumeration, .pointer: return true
            case .array(let e, let n): return n != nil && fixed(e)
            case .typedef(_, let u), .const(let u), .typeTag(_, let u): return fixed(u)
            case .record(let id):
                guard id < records.count, records[id].isComplete, visiting.insert(id).inserted else { return false }
                defer { visiting.remove(id) }
                return records[id].fields.allSatisfy { fixed($0.type) }
            default: return false
            }
        }
        let dataSymbols = Set(sections.flatMap { $0.symbols.map(\.name) } + [ModuleLowering.stringSection])
        var bytes: [String: [UInt8]] = [:]
        var addresses: [String: [Int: SymbolRef]] = [:]
        /// Records `sym`'s bytes and the addresses in them (nothing when one cannot be read).
        func record(_ sym: DataSymbol, of s: DataSection) {
            var words: [Int: SymbolRef] = [:]
            for r in s.relocations where r.offset < sym.offset + sym.size && sym.offset < r.offset + r.bytes {
                guard r.bytes == 8, dataSymbols.contains(r.symbol), r.offset >= sym.offset,
                      r.offset + 8 <= sym.offset + sym.size, r.offset + 8 <= s.bytes.count else { return }
                var addend: UInt64 = 0
                for j in 0..<8 { addend |= UInt64(s.bytes[r.offset + j]) << UInt64(bigEndian ? (7 - j) * 8 : j * 8) }
                words[r.offset - sym.offset] = SymbolRef(name: r.symbol, offset: Int64(bitPattern: addend))
            }
            bytes[sym.name] = Array(s.bytes[sym.offset..<(sym.offset + sym.size)])
            if !words.isEmpty { addresses[sym.name] = words }
        }
        for s in sections where s.kind == .readOnly && !s.bytes.isEmpty {
            for sym in s.symbols where fixed(sym.type) && sym.offset + sym.size <= s.bytes.count { record(sym, of: s) }
        }
        // String literals (the pooled section, addressed by offset): C leaves writing
        // them undefined, and clang folds reads of their bytes (`names[1][1]`).
        if let pool = sections.first(where: { $0.name == ModuleLowering.stringSection && $0.kind == .readOnly }),
           pool.relocations.isEmpty, bytes[pool.name] == nil {
            bytes[pool.name] = pool.bytes
        }
        guard !unwrittenStatics.isEmpty else { return (bytes, addresses) }
        let addressed = Set(sections.flatMap { $0.relocations.map(\.symbol) })
        for s in sections where s.kind != .readOnly && (s.name == ".data" || s.name == ".bss") {
            for sym in s.symbols where unwrittenStatics.contains(sym.name) && !addressed.contains(sym.name) && fixed(sym.type) {
                if s.kind == .bss { bytes[sym.name] = [UInt8](repeating: 0, count: sym.size); continue }
                guard sym.offset + sym.size <= s.bytes.count else { continue }
                record(sym, of: s)
            }
        }
        return (bytes, addresses)
    }

    func request(_ name: String) {
        if requestedSet.insert(name).inserted { requestedFunctions.append(name) }
    }

    /// Offset of a string literal in the pooled string section.
    func internString(_ bytes: [UInt8]) -> Int {
        if let o = stringOffsets[bytes] { return o }
        let o = stringPool.count
        stringPool += bytes
        stringOffsets[bytes] = o
        return o
    }

    /// The helper number of a libbpf-style helper pointer global (`= (void *) N`).
    func helperNumber(_ name: String) -> Int32? {
        guard let g = globalsByName[name], case .expr(let e)? = g.initializer, g.type.isPointer else { return nil }
        guard case .function = g.type.pointee?.canonical else { return nil }
        if let v = ConstantEvaluator.integer(e) { return Int32(truncatingIfNeeded: v) }
        return nil
    }
}

