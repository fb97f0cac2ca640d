import BPFFrontend

extension BTFBuilder {
    /// Adds FUNC → FUNC_PROTO (with parameter names) and returns the FUNC id.
    /// Adding the same name with the same type and linkage again returns the first id.
    ///
    /// The kernel rejects a FUNC whose prototype has an unnamed parameter, so a
    /// defined function's missing names become `arg<i>`; an extern function
    /// (a kfunc) keeps them empty, as clang emits it (libbpf fills them in).
    public mutating func addFunction(name: String, type: FunctionType, parameterNames: [String],
                                     linkage: BTFLinkage) -> Int {
        if let id = functionIDs[name], types[id - 1].vlen == linkage.rawValue,
           case let proto = types[Int(types[id - 1].sizeOrType) - 1], proto.vlen == UInt32(type.parameters.count + (type.isVariadic ? 1 : 0)) {
            return id
        }
        var names = parameterNames
        if linkage != .extern {
            names = type.parameters.indices.map { i in
                i < parameterNames.count && !parameterNames[i].isEmpty ? parameterNames[i] : "arg\(i)"
            }
        }
        let proto = append(functionProto(type, names: names))
        let id = append(BTFTypeRecord(name: strings.add(name), kind: .function, vlen: linkage.rawValue,
                                      sizeOrType: UInt32(proto)))
        if functionIDs[name] == nil { functionIDs[name] = id }
        return id
    }

    /// Adds a DECL_TAG (`btf_decl_tag`) on a STRUCT/UNION/VAR/FUNC/TYPEDEF.
    /// `component` is a member or parameter index, or -1 for the declaration itself.
    public mutating func addDeclTag(_ tag: String, to typeID: Int, component: Int) {
        _ = append(BTFTypeRecord(name: strings.add(tag), kind: .declTag, sizeOrType: UInt32(clamping: max(0, typeID)),
                                 extra: [UInt32(bitPattern: Int32(clamping: component))]))
    }

    /// A map definition's type: as any variable's, but the types its members point to
    /// (`__type(key, struct k)` is `struct k *key`) are written whole, as clang does, so
    /// that libbpf sees the key and value layouts.
    mutating func mapDefinitionTypeID(of type: CType) -> Int {
        var t = type
        while true {
            switch t {
            case .typedef(_, let u), .const(let u), .volatile(let u), .restrict(let u): t = u; continue
            default: break
            }
            break
        }
        if case .record(let rid) = t, unit.records.indices.contains(rid), unit.records[rid].isComplete, ids[type] == nil {
            for f in unit.records[rid].fields { _ = typeID(of: f.type) }
        }
        return typeID(of: type)
    }

    /// Adds a VAR per variable and a DATASEC holding them, sorted by offset.
    ///
    /// VAR names are the ELF symbol names, as clang-22 emits them (a static
    /// local `cnt` of `prog` is `prog.cnt`). An extern function (type
    /// `.function`, linkage `.extern`) is entered as its FUNC, size 0, as clang
    /// does in `.ksyms`.
    @discardableResult
    public mutating func addDataSection(name: String, size: Int, variables: [BTFVariable]) -> Int {
        var entries: [(type: UInt32, offset: UInt32, size: UInt32)] = []
        let ordered = variables.enumerated().sorted { ($0.element.offset, $0.offset) < ($1.element.offset, $1.offset) }
        for (_, v) in ordered {
            if case .function(let ft) = v.type.canonical, v.linkage == .extern {
                let fid = functionIDs[v.name].flatMap { types[$0 - 1].vlen == BTFLinkage.extern.rawValue ? $0 : nil }
                    ?? addFunction(name: v.name, type: ft, parameterNames: [], linkage: .extern)
                entries.append((UInt32(fid), UInt32(clamping: max(0, v.offset)), 0))
                continue
            }
            let t = name == ".maps" ? mapDefinitionTypeID(of: v.type) : typeID(of: v.type)
            let varID = append(BTFTypeRecord(name: strings.add(v.name), kind: .variable, sizeOrType: UInt32(t),
                                             extra: [v.linkage.rawValue]))
            for tag in v.declTags { addDeclTag(tag, to: varID, component: -1) }
            entries.append((UInt32(varID), UInt32(clamping: max(0, v.offset)), UInt32(clamping: max(0, v.size))))
        }
        return append(BTFTypeRecord(name: strings.add(name), kind: .dataSection, vlen: UInt32(entries.count),
                                    sizeOrType: UInt32(clamping: max(0, size)),
                                    extra: entries.flatMap { [$0.type, $0.offset, $0.size] }))
    }
}
