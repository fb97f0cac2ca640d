import CClang

extension Converter {
    func convertType(_ t: CXType, at c: CXCursor) throws -> CType {
        let key = ConvertedTypeKey(t, inMember: typeContext.inMember, behindPointer: typeContext.behindPointer)
        if let known = convertedTypes[key] { return known }
        let outer = typeDependsOnCursor
        typeDependsOnCursor = false
        defer { typeDependsOnCursor = typeDependsOnCursor || outer }
        // (Types nest too: a pointer to a pointer ... is converted, and written to BTF,
        // one level per recursion.)
        var base = try nested(c) { try convertUnqualified(t, at: c) }
        if clang_isRestrictQualifiedType(t) != 0 { base = .restrict(base) }
        if clang_isVolatileQualifiedType(t) != 0 { base = .volatile(base) }
        if clang_isConstQualifiedType(t) != 0 { base = .const(base) }
        if !typeDependsOnCursor { convertedTypes[key] = base }
        return base
    }

    private func builtinName(_ t: CXType) -> String {
        var s = string(clang_getTypeSpelling(clang_getUnqualifiedType(t)))
        for q in ["const ", "volatile ", "restrict "] { s = s.replacingAll(q, "") }
        return s
    }

    private func convertUnqualified(_ t: CXType, at c: CXCursor) throws -> CType {
        switch t.kind {
        case CXType_Void: return .void
        case CXType_Bool: return .bool
        case CXType_Char_S: return .int(bytes: 1, signed: true, name: "char")
        case CXType_Char_U: return .int(bytes: 1, signed: false, name: "char")
        case CXType_SChar: return .int(bytes: 1, signed: true, name: "signed char")
        case CXType_UChar: return .int(bytes: 1, signed: false, name: "unsigned char")
        case CXType_Short: return .int(bytes: 2, signed: true, name: "short")
        case CXType_UShort: return .int(bytes: 2, signed: false, name: "unsigned short")
        case CXType_Int: return .int(bytes: 4, signed: true, name: "int")
        case CXType_UInt: return .int(bytes: 4, signed: false, name: "unsigned int")
        case CXType_Long: return .int(bytes: 8, signed: true, name: "long")
        case CXType_ULong: return .int(bytes: 8, signed: false, name: "unsigned long")
        case CXType_LongLong: return .int(bytes: 8, signed: true, name: "long long")
        case CXType_ULongLong: return .int(bytes: 8, signed: false, name: "unsigned long long")
        case CXType_Int128: return .int(bytes: 16, signed: true, name: "__int128")
        case CXType_UInt128: return .int(bytes: 16, signed: false, name: "unsigned __int128")
        case CXType_WChar: return .int(bytes: 4, signed: true, name: "int")
        case CXType_Char16: return .int(bytes: 2, signed: false, name: "unsigned short")
        case CXType_Char32: return .int(bytes: 4, signed: false, name: "unsigned int")
        case CXType_Float, CXType_Half, CXType_Float16, CXType_BFloat16: return .float(bytes: max(2, Int(clang_Type_getSizeOf(t))))
        case CXType_Double, CXType_LongDouble, CXType_Float128: return .float(bytes: max(8, Int(clang_Type_getSizeOf(t))))
        case CXType_Pointer:
            let saved = typeContext
            defer { typeContext = saved }
            // Only a plain `struct foo *` defers foo: behind a qualifier or typedef, clang's
            // BTF may still write the record whole (when the same pointer type recurs).
            let pointee = clang_getPointeeType(t)
            typeContext.behindPointer = typeContext.inMember && isPlainRecord(pointee)
            return .pointer(try convertType(pointee, at: c))
        case CXType_ConstantArray:
            return .array(try inRootContext { try convertType(clang_getArrayElementType(t), at: c) }, count: Int(clang_getArraySize(t)))
        case CXType_IncompleteArray:
            return .array(try inRootContext { try convertType(clang_getArrayElementType(t), at: c) }, count: nil)
        case CXType_VariableArray, CXType_DependentSizedArray:
            throw error(c, "variable length arrays are not supported in BPF programs")
        case CXType_Typedef:
            let decl = clang_getTypeDeclaration(t)
            let name = spelling(decl)
            let under = clang_getTypedefDeclUnderlyingType(decl)
            return .typedef(name, try convertType(under, at: c))
        case CXType_Elaborated:
            return try convertType(clang_Type_getNamedType(t), at: c)
        case CXType_Record:
            return .record(try recordID(t, at: c))
        case CXType_Enum:
            return .enumeration(try enumID(t, at: c))
        case CXType_FunctionProto, CXType_FunctionNoProto:
            return try inRootContext { try functionType(t, at: c) }
        case CXType_Attributed, CXType_BTFTagAttributed:
            let modified = try convertType(clang_Type_getModifiedType(t), at: c)
            let spell = string(clang_getTypeSpelling(t))
            if let tag = btfTypeTag(spell) { return .typeTag(tag, modified) }
            return modified
        case CXType_Atomic:
            return try convertType(clang_Type_getValueType(t), at: c)
        default:
            typeDependsOnCursor = true
            if let named = try typeofTypedef(t, at: c) { return named }
            let canon = clang_getCanonicalType(t)
            if canon.kind != t.kind && canon.kind != CXType_Invalid { return try convertType(canon, at: c) }
            throw error(c, "unsupported type '\(string(clang_getTypeSpelling(t)))'")
        }
    }

    /// An unqualified struct/union type named directly (not through a typedef).
    private func isPlainRecord(_ t: CXType) -> Bool {
        guard clang_isConstQualifiedType(t) == 0, clang_isVolatileQualifiedType(t) == 0 else { return false }
        let named = t.kind == CXType_Elaborated ? clang_Type_getNamedType(t) : t
        return named.kind == CXType_Record
    }

    private func functionType(_ t: CXType, at c: CXCursor) throws -> CType {
        let ret = try convertType(clang_getResultType(t), at: c)
        var params: [CType] = []
        let n = Int(clang_getNumArgTypes(t))
        if n > 0 { for i in 0..<n { params.append(try convertType(clang_getArgType(t, UInt32(i)), at: c)) } }
        return .function(FunctionType(returnType: ret, parameters: params, isVariadic: clang_isFunctionTypeVariadic(t) != 0,
                                      hasPrototype: t.kind == CXType_FunctionProto))
    }

    /// Array elements and function prototypes are converted as if reached from a root.
    private func inRootContext<T>(_ body: () throws -> T) rethrows -> T {
        let saved = typeContext
        defer { typeContext = saved }
        typeContext = (false, false)
        return try body()
    }

    /// `typeof(pid_t)` keeps its typedef (as clang's debug info does); libclang exposes
    /// typeof only as an unexposed type whose canonical form has lost the typedef name.
    private func typeofTypedef(_ t: CXType, at c: CXCursor) throws -> CType? {
        let spell = string(clang_getTypeSpelling(t))
        guard let open = spell.firstIndex(of: "("), spell.hasSuffix(")") else { return nil }
        let head = spell[..<open].trimmed
        let unqualified = head == "typeof_unqual" || head == "__typeof_unqual__"
        guard unqualified || head == "typeof" || head == "__typeof__" || head == "__typeof" else { return nil }
        let words = spell[spell.index(after: open)..<spell.index(before: spell.endIndex)]
            .split(separator: " ").map(String.init)
        let qualifiers = words.filter { $0 == "const" || $0 == "volatile" }
        let rest = words.filter { $0 != "const" && $0 != "volatile" }
        let isName = rest.count == 1 && rest[0].utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x5f || c >= 0x80
        }
        guard isName else {
            // typeof(expression) of a typedef-typed expression (BPF_CORE_READ's `__r` of
            // `typeof((t)->loginuid)`, a `kuid_t`): that typedef, which CO-RE relocations
            // on an anonymous struct must name, as clang's do.
            // The declaration whose type it is: `c` itself, or the variable a reference
            // (under implicit conversions and parentheses) names.
            var decl = c
            while clang_isExpression(decl.kind) != 0 {
                if decl.kind == CXCursor_DeclRefExpr { decl = clang_getCursorReferenced(decl); break }
                if decl.kind == CXCursor_StmtExpr {
                    // `({ ...; __r; })`: the last statement of its block.
                    guard let block = children(decl).first, let last = children(block).last else { return nil }
                    decl = last
                    continue
                }
                guard decl.kind == CXCursor_UnexposedExpr || decl.kind == CXCursor_ParenExpr,
                      let inner = firstExpression(below: decl) else { return nil }
                decl = inner
            }
            guard decl.kind == CXCursor_VarDecl || decl.kind == CXCursor_ParmDecl || decl.kind == CXCursor_FieldDecl,
                  let e = firstExpression(below: decl) else { return nil }
            var et = clang_getCursorType(e)
            if et.kind == CXType_Elaborated { et = clang_Type_getNamedType(et) }
            guard et.kind == CXType_Typedef,
                  clang_equalTypes(clang_getCanonicalType(et), clang_getCanonicalType(t)) != 0 else { return nil }
            return try convertType(et, at: c)
        }
        guard let decl = typedefsByName[rest[0]] ?? typedefReferenced(named: rest[0], below: c) else {
            // typeof(global): the global's declared type.
            if let g = unit.globals.first(where: { $0.name == rest[0] }), !unqualified { return g.type }
            return nil
        }
        var result = CType.typedef(rest[0], try convertType(clang_getTypedefDeclUnderlyingType(decl), at: c))
        if !unqualified {
            if qualifiers.contains("volatile") { result = .volatile(result) }
            if qualifiers.contains("const") { result = .const(result) }
        }
        return result
    }

    /// The first expression below a declaration (the operand of its `typeof`).
    private func firstExpression(below c: CXCursor) -> CXCursor? {
        var found: CXCursor? = nil
        withUnsafeMutablePointer(to: &found) { ptr in
            _ = clang_visitChildren(c, { child, _, data in
                guard clang_isExpression(child.kind) != 0 else { return CXChildVisit_Continue }
                data!.assumingMemoryBound(to: CXCursor?.self).pointee = child
                return CXChildVisit_Break
            }, ptr)
        }
        return found
    }

    /// The typedef named `name` that a `TypeRef` below `c` refers to: the top-level walk
    /// registers only the main file's typedefs (see `Converter.convertTopLevel`).
    private func typedefReferenced(named name: String, below c: CXCursor) -> CXCursor? {
        var context: (name: String, found: CXCursor?) = (name, nil)
        withUnsafeMutablePointer(to: &context) { ptr in
            _ = clang_visitChildren(c, { child, _, data in
                let ctx = data!.assumingMemoryBound(to: (name: String, found: CXCursor?).self)
                guard child.kind == CXCursor_TypeRef else { return CXChildVisit_Recurse }
                let decl = clang_getCursorReferenced(child)
                guard decl.kind == CXCursor_TypedefDecl, spelling(decl) == ctx.pointee.name else { return CXChildVisit_Continue }
                ctx.pointee.found = decl
                return CXChildVisit_Break
            }, ptr)
        }
        return context.found
    }

    private func btfTypeTag(_ spelling: String) -> String? {
        // The outermost tag is spelled last: `int __attribute__((btf_type_tag("a"))) * __attribute__((btf_type_tag("b")))`.
        guard let r = spelling.lastRange("btf_type_tag(\"") else { return nil }
        let rest = spelling[r.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    /// Deduplication key of a record/enum declaration, and its tag (nil for an unnamed one).
    ///
    /// The key is the USR, plus the position of the declaration for anonymous ones (clang
    /// gives sibling anonymous unions the same USR). libclang spells `typedef struct { ... }
    /// atomic_t;`'s record as "atomic_t", but it has no tag (its USR says `@SA@`/`@UA@`/
    /// `@EA@`), and BTF writes it anonymous, as clang does: the name belongs to the typedef.
    /// A record with neither tag nor typedef name is not spelled at all: its spelling names
    /// its position ("(unnamed struct at vmlinux.h:…)"), and a line number makes libclang
    /// read and index the whole file the record is in.
    func tagIdentity(_ decl: CXCursor) -> (key: String, name: String?) {
        let canon = clang_getCanonicalCursor(decl)
        let u = usr(canon)
        let spelled = clang_Cursor_isAnonymous(canon) != 0 ? "" : spelling(canon)
        guard isUnnamed(spelled) else {
            return (u, u.hasBytes("@SA@") || u.hasBytes("@UA@") || u.hasBytes("@EA@") ? nil : spelled)
        }
        // Spelling and expansion positions: one macro can expand to anonymous records at many sites.
        let at = spellingPosition(clang_getCursorLocation(canon))
        let name = at.map { string(clang_getFileName($0.file)) } ?? ""
        let expanded = expansionPosition(clang_getCursorLocation(canon))
        let expName = expanded.file.map { string(clang_getFileName($0)) } ?? ""
        return ("\(u)@\(name):\(at?.offset ?? 0)@\(expName):\(expanded.offset)", nil)
    }

    /// Whether libclang's spelling of a declaration is no name: empty, or a description
    /// such as "(anonymous struct at …)" (a C name never starts with a parenthesis).
    func isUnnamed(_ spelled: String) -> Bool { spelled.isEmpty || spelled.utf8.first == UInt8(ascii: "(") }

    /// The declaration a cursor stands for, canonical (the first of its redeclarations),
    /// as libclang's pointer to it; nil for a cursor with none.
    func declarationIdentity(_ decl: CXCursor) -> UnsafeRawPointer? {
        clang_getCanonicalCursor(decl).data.0
    }

    func recordID(_ t: CXType, at c: CXCursor) throws -> RecordID {
        let decl = clang_getTypeDeclaration(t)
        let identity = declarationIdentity(decl)
        var known = identity.flatMap { recordIDsByDeclaration[$0] }
        var tag: (key: String, name: String?) = ("", nil)
        if known == nil {
            tag = tagIdentity(decl)
            known = recordIDs[tag.key]
            if let id = known, let identity { recordIDsByDeclaration[identity] = id }
        }
        if let id = known {
            if let def = omittedRecordDefinitions[id], !(typeContext.inMember && typeContext.behindPointer) {
                try convertMembers(of: id, definition: def)
            }
            return id
        }
        let id = unit.records.count
        recordIDs[tag.key] = id
        if let identity { recordIDsByDeclaration[identity] = id }
        let def = clang_getCursorDefinition(decl)
        unit.records.append(RecordDecl(name: tag.name, isUnion: decl.kind == CXCursor_UnionDecl,
                                       isComplete: false, fields: [], size: 0, alignment: 1,
                                       preserveAccessIndex: false))
        guard !isNull(def) else { return id }
        unit.records[id].isComplete = true
        if typeContext.inMember && typeContext.behindPointer && unit.records[id].name != nil {
            unit.records[id].membersOmitted = true
            omittedRecordDefinitions[id] = def
            return id
        }
        try convertMembers(of: id, definition: def)
        return id
    }

    /// Converts a defined record's members (and the `preserve_access_index` attribute).
    func convertMembers(of id: RecordID, definition def: CXCursor) throws {
        omittedRecordDefinitions[id] = nil
        let rt = clang_getCursorType(def)
        // Asked first, libclang lays the record out: it reads the record, and every record
        // it holds, from the PCH. Timed as libclang's work (see `Frontend.parse`).
        unit.records[id].size = max(0, Int(Frontend.libclangCall { clang_Type_getSizeOf(rt) }))
        unit.records[id].alignment = max(1, Int(clang_Type_getAlignOf(rt)))
        let saved = typeContext
        defer { typeContext = saved }
        // The record's own attributes (from its head: `struct __attribute__((...)) name`);
        // most records have none, and printing costs more than the rest of the conversion.
        let head: Substring
        if clang_Cursor_hasAttrs(def) != 0 {
            let pretty = prettyPrinted(def)
            head = pretty[..<(pretty.utf8.firstIndex(of: UInt8(ascii: "{")) ?? pretty.endIndex)]
        } else {
            head = ""
        }
        let pai = head.hasBytes("preserve_access_index")
        let fieldInfo = fields(of: clang_getCursorType(def)).map(FieldLayout.Field.init)
        // (A `randomize_layout` record may be shuffled.)
        let offsets = FieldLayout.offsets(of: fieldInfo, isUnion: unit.records[id].isUnion, recordSize: unit.records[id].size,
                                          recordAlignment: unit.records[id].alignment, plainAllowed: !head.hasBytes("randomize_layout"))
        var fields: [FieldDecl] = []
        for (info, off) in zip(fieldInfo, offsets) {
            let f = info.cursor
            typeContext = (inMember: true, behindPointer: false)
            let ft = try convertType(info.type, at: f)
            // An anonymous struct/union member is not spelled (see `tagIdentity`).
            let fname = clang_Cursor_isAnonymousRecordDecl(clang_getTypeDeclaration(info.type)) != 0 ? "" : spelling(f)
            var field = FieldDecl(name: isUnnamed(fname) ? nil : fname, type: ft, bitOffset: off, bitWidth: info.bitWidth)
            if !info.attributes.isEmpty {
                let pretty = prettyPrinted(f)
                if pretty.hasBytes("btf_decl_tag") { field.btfDeclTags = AttributeParser.parse(pretty).btfDeclTags }
            }
            fields.append(field)
        }
        unit.records[id].fields = fields
        fieldCursors[id] = fieldInfo.map(\.cursor)
        unit.records[id].membersOmitted = false
        unit.records[id].preserveAccessIndex = pai
        unit.records[id].btfDeclTags = head.hasBytes("btf_decl_tag") ? AttributeParser.parse(String(head)).btfDeclTags : []
    }

    func enumID(_ t: CXType, at c: CXCursor) throws -> EnumID {
        let decl = clang_getTypeDeclaration(t)
        let tag = tagIdentity(decl)
        if let id = enumIDs[tag.key] { return id }
        let id = unit.enums.count
        enumIDs[tag.key] = id
        let intType = clang_getEnumDeclIntegerType(decl)
        let signed = [CXType_Int, CXType_Long, CXType_LongLong, CXType_Short, CXType_SChar, CXType_Char_S].contains(intType.kind)
        let def = clang_getCursorDefinition(decl)
        var values: [EnumValue] = []
        if !isNull(def) {
            for k in children(def) where k.kind == CXCursor_EnumConstantDecl {
                let v = signed ? clang_getEnumConstantDeclValue(k) : Int64(bitPattern: clang_getEnumConstantDeclUnsignedValue(k))
                values.append(EnumValue(name: spelling(k), value: v))
            }
        }
        unit.enums.append(EnumDecl(name: tag.name, values: values, size: max(1, Int(clang_Type_getSizeOf(t))),
                                   isSigned: signed))
        return id
    }
}

extension String {
    func replacingAll(_ a: String, _ b: String) -> String {
        var out = "", rest = Substring(self)
        while let r = rest.firstRange(a) { out += rest[..<r.lowerBound]; out += b; rest = rest[r.upperBound...] }
        return out + rest
    }
}

extension StringProtocol {
    func lastRange(_ needle: String) -> Range<Index>? {
        var found: Range<Index>? = nil
        var rest = self[...]
        while let r = rest.firstRange(needle) { found = r; rest = rest[r.upperBound...] }
        return found
    }
    func firstRange(_ needle: String) -> Range<Index>? {
        guard !needle.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}
