import BPFFrontend
import BPFIR
import BPFLower
import BPFCodegen
import BTF
import BPFELF

/// Puts compiled functions, data sections and BTF together into one ELF object.
struct ObjectAssembler {
    let unit: TranslationUnit
    let program: LoweredProgram
    let functions: [CompiledFunction]
    let options: Options

    private var bigEndian: Bool { options.endianness == .big }

    /// A function's place in its section.
    struct Placement { var section: String; var byteOffset: Int; var function: CompiledFunction }

    func assemble() throws -> ObjectFile {
        var sources = SourceLines()
        var btf = BTFBuilder(unit: unit)
        let functionNames = Set(functions.map(\.name))
        let dataSectionNames = Set(program.dataSections.map(\.name))

        // 1. Code sections: .text first (as clang), then program sections in source order.
        var sectionOrder: [String] = []
        var placed: [String: [Placement]] = [:]
        var sectionSizes: [String: Int] = [:]
        for f in functions.sorted(by: { ($0.section == ".text" ? 0 : 1) < ($1.section == ".text" ? 0 : 1) }) {
            if placed[f.section] == nil { sectionOrder.append(f.section); placed[f.section] = [] }
            let off = sectionSizes[f.section, default: 0]
            placed[f.section]!.append(Placement(section: f.section, byteOffset: off, function: f))
            sectionSizes[f.section] = off + f.instructions.count * 8
        }

        var sections: [ELFSection] = []
        var symbols: [ELFSymbol] = []
        for name in sectionOrder {
            var bytes: [UInt8] = []
            var relocs: [ELFRelocation] = []
            for p in placed[name]! {
                var insns = p.function.instructions
                for c in p.function.coreRelocs where c.reloc.kind == 6 && c.reloc.typeID < program.coreTypes.count {
                    // __builtin_btf_type_id(x, 0): the local BTF id is the value itself.
                    insns[c.instructionIndex].imm = Int32(btf.typeID(of: program.coreTypes[c.reloc.typeID]))
                }
                for r in p.function.relocations {
                    let at = UInt64(p.byteOffset + r.instructionIndex * 8)
                    switch r.kind {
                    case .symbolAddress(let s):
                        if functionNames.contains(s) {
                            // A callback's address: ld_imm64 with BPF_PSEUDO_FUNC, relocated
                            // against .text with the function's offset as the immediate.
                            insns[r.instructionIndex].src = 4
                            let target = placement(of: s, in: placed)
                            insns[r.instructionIndex].imm = Int32(target?.byteOffset ?? 0)
                            relocs.append(ELFRelocation(offset: at, symbol: target?.section ?? ".text", type: .r64))
                        } else {
                            relocs.append(ELFRelocation(offset: at, symbol: s, type: .r64))
                        }
                    case .call(let s):
                        relocs.append(ELFRelocation(offset: at, symbol: s, type: .call32))
                    case .kfunc(let s):
                        relocs.append(ELFRelocation(offset: at, symbol: s, type: .call32))
                    }
                }
                for i in insns { bytes += i.encoded(bigEndian: bigEndian) }
                let f = p.function
                symbols.append(ELFSymbol(name: f.name, section: name, value: UInt64(p.byteOffset),
                                         size: UInt64(f.instructions.count * 8),
                                         binding: f.linkage == .static ? .local : (f.linkage == .weak ? .weak : .global),
                                         type: .function,
                                         hidden: program.functionDecls[f.name]?.attributes.hidden ?? false))
                // BTF: FUNC record and func_info; line_info with -g.
                if let decl = program.functionDecls[f.name] {
                    let linkage: BTFLinkage = f.linkage == .static ? .static : .global
                    let id = btf.addFunction(name: f.name, type: decl.type,
                                             parameterNames: decl.parameters.map(\.name), linkage: linkage)
                    btf.addFuncInfo(section: name, instructionByteOffset: p.byteOffset, typeID: id)
                    for tag in decl.attributes.btfDeclTags { btf.addDeclTag(tag, to: id, component: -1) }
                    for (i, p) in decl.parameters.enumerated() {
                        for tag in p.attributes.btfDeclTags { btf.addDeclTag(tag, to: id, component: i) }
                    }
                }
                if options.lineInfo {
                    for l in f.lines where l.location.line > 0 {
                        btf.addLineInfo(section: name, instructionByteOffset: p.byteOffset + l.instructionIndex * 8,
                                        file: l.location.file, line: l.location.line, column: l.location.column,
                                        lineText: sources.line(l.location.file, l.location.line))
                    }
                }
                for c in f.coreRelocs {
                    guard c.reloc.typeID >= 0, c.reloc.typeID < program.coreTypes.count else { continue }
                    let typeID = btf.typeID(of: program.coreTypes[c.reloc.typeID])
                    btf.addCoreRelo(section: name, instructionByteOffset: p.byteOffset + c.instructionIndex * 8,
                                    typeID: typeID, accessString: c.reloc.accessString, kind: c.reloc.kind)
                }
            }
            sections.append(ELFSection(name: name, kind: .program, alignment: 8, bytes: bytes, relocations: relocs))
        }

        // 2. Data sections with their variables.
        for d in program.dataSections {
            let kind: ELFSectionKind
            switch d.kind {
            case .bss: kind = .bss
            case .readOnly: kind = .readOnlyData
            case .data: kind = .data
            }
            let relocs = d.relocations.map { r -> ELFRelocation in
                let sym = functionNames.contains(r.symbol) ? r.symbol : r.symbol
                return ELFRelocation(offset: UInt64(r.offset), symbol: sym, type: r.bytes == 8 ? .abs64 : .abs32)
            }
            sections.append(ELFSection(name: d.name, kind: kind, alignment: UInt64(max(1, d.alignment)),
                                       bytes: d.kind == .bss ? [] : d.bytes, size: UInt64(d.size), relocations: relocs))
            for s in d.symbols {
                symbols.append(ELFSymbol(name: s.name, section: d.name, value: UInt64(s.offset), size: UInt64(s.size),
                                         binding: s.isStatic ? .local : (s.isWeak ? .weak : .global), type: .object,
                                         hidden: s.isHidden))
            }
            let vars = d.symbols.map {
                BTFVariable(name: $0.name, type: $0.type, offset: $0.offset, size: $0.size,
                            linkage: $0.isStatic ? .static : .global, declTags: $0.btfDeclTags)
            }
            // An empty section (only empty structs in it) has no map and no DATASEC, as in
            // clang's objects: libbpf refuses to open an object whose DATASEC has size 0.
            if d.size > 0 { btf.addDataSection(name: d.name, size: d.size, variables: vars) }
        }

        // 3. Externs: .kconfig/.ksyms variables and kfuncs (undefined symbols).
        var ksyms: [BTFVariable] = []
        var kconfig: [BTFVariable] = []
        for e in program.externs {
            symbols.append(ELFSymbol(name: e.name, section: nil, value: 0, size: 0,
                                     binding: e.isWeak ? .weak : .global, type: .notype))
            if e.isFunction {
                if case .function(let ft) = e.type {
                    let decl = program.functionDecls[e.name]
                    _ = btf.addFunction(name: e.name, type: ft, parameterNames: decl?.parameters.map(\.name) ?? [],
                                        linkage: .extern)
                    // libbpf finds kfuncs through the .ksyms DATASEC, as clang emits it: those
                    // declared `__ksym`. Another extern function is a subprogram a static
                    // linker (`bpftool gen object`) finds in another object.
                    if decl?.attributes.section == ".ksyms" {
                        ksyms.append(BTFVariable(name: e.name, type: e.type, offset: 0, size: 0, linkage: .extern))
                    }
                }
            } else {
                let v = BTFVariable(name: e.name, type: e.type, offset: 0, size: unit.size(of: e.type), linkage: .extern)
                if e.section == ".kconfig" { kconfig.append(v) } else { ksyms.append(v) }
            }
        }
        if !kconfig.isEmpty { btf.addDataSection(name: ".kconfig", size: 0, variables: kconfig) }
        if !ksyms.isEmpty { btf.addDataSection(name: ".ksyms", size: 0, variables: ksyms) }
        _ = dataSectionNames

        // 4. .BTF and .BTF.ext.
        let (btfBytes, extBytes) = btf.encode(bigEndian: bigEndian)
        sections.append(ELFSection(name: ".BTF", kind: .metadata, alignment: 4, bytes: btfBytes))
        if !extBytes.isEmpty {
            sections.append(ELFSection(name: ".BTF.ext", kind: .metadata, alignment: 4, bytes: extBytes))
        }
        return ObjectFile(bigEndian: bigEndian, sections: sections, symbols: symbols)
    }

    private func placement(of function: String, in placed: [String: [Placement]]) -> Placement? {
        for (_, list) in placed { if let p = list.first(where: { $0.function.name == function }) { return p } }
        return nil
    }
}
