import CClang

/// Walks libclang's cursors and builds the typed AST.
final class Converter {
    let tu: CXTranslationUnit
    var unit: TranslationUnit
    var recordIDs: [String: RecordID] = [:]
    var enumIDs: [String: EnumID] = [:]
    /// The same, by the canonical declaration libclang hands out (`declarationIdentity`):
    /// a record met again skips making its key (the USR libclang generates each time).
    var recordIDsByDeclaration: [UnsafeRawPointer: RecordID] = [:]
    /// The field cursors of each converted record, in `RecordDecl.fields` order.
    var fieldCursors: [RecordID: [CXCursor]] = [:]
    /// Definitions of records whose members are not converted yet (see `membersOmitted`).
    var omittedRecordDefinitions: [RecordID: CXCursor] = [:]
    /// Where the type being converted was reached: through a record's member, and
    /// through a pointer after it. Records met there are converted without their members
    /// until something uses them (the rule clang's BTF generator prunes types by).
    var typeContext = (inMember: false, behindPointer: false)
    /// Types converted so far, by libclang's type and the context it was reached in: an
    /// expression's or declaration's type is mostly one met before (`int`, `__u32`, a
    /// pointer to a struct), and converting it again asks libclang for its qualifiers,
    /// typedef declaration, name and underlying type every time. A type whose form
    /// depends on the cursor it is met at (`typeof`) is not kept (`typeDependsOnCursor`).
    var convertedTypes: [ConvertedTypeKey: CType] = [:]
    var typeDependsOnCursor = false
    /// File-scope typedefs of the main file seen so far (for `typeof(name)`).
    var typedefsByName: [String: CXCursor] = [:]
    var errors: [Diagnostic] = []
    /// Errors inside static functions, reported only if the function is used.
    var deferredErrors: [String: [Diagnostic]] = [:]

    // Per-function state.
    /// A local or parameter's id, and a static local's hoisted global name, by the
    /// declaration (`declarationIdentity`): no USR is made for them.
    var locals: [UnsafeRawPointer?: Int] = [:]
    var nextLocal = 0
    var currentFunction = ""
    /// The local labels (`__label__`) of the blocks being converted, innermost last: each
    /// name's unique name in the function (a macro declaring one, used twice, makes two).
    var labelScopes: [[String: String]] = []
    var localLabelCount = 0
    /// The index hides the PCH's declarations (the parse cache's entry for headers that
    /// define nothing the object holds): a declaration only a header makes cannot be found
    /// by name. `neededHiddenDeclarations`: the program needs one (its parse is repeated).
    var headerDeclarationsHidden = false
    var neededHiddenDeclarations = false
    var staticLocalNames: [UnsafeRawPointer?: String] = [:]
    var usedGlobalNames: Set<String> = []
    /// Functions declared outside the main file, converted only when referenced
    /// (headers such as bpf_helpers.h define many static inline functions).
    var pendingFunctions: [CXCursor] = []
    var requestedFunctions: Set<String> = []
    /// The functions the program has referenced so far, by name (a cleanup function
    /// declared in a header is found here: libbpf's `bpf_for` names its destroy kfunc).
    var referencedFunctions: [String: CXCursor] = [:]
    var mainFileHandle: CXFile? = nil
    /// The main file has `#line` directives: its locations are the presumed ones.
    var mainHasLineDirectives = false
    /// File names by libclang's handle: a location names its file without making the
    /// name again.
    var fileNames: [UnsafeMutableRawPointer: String] = [:]
    /// Each header met in a location: its name and the file its locations point into.
    var headerFiles: [UnsafeMutableRawPointer: (name: String, source: SourceFile)] = [:]
    /// The file of the last location named, for locations one after another in a file.
    var lastFile: (handle: UnsafeMutableRawPointer, name: String)?
    /// The last location looked up, by libclang's encoding of it.
    /// (Two properties: a tuple holding a SourceLocation is copied through the runtime.)
    var lastRawLocation: CXSourceLocation?
    var lastLocationValue = SourceLocation.unknown
    /// The main file's lines (counted at the first location there).
    var mainLineTable: LineTable?
    /// The texts of the files words were read from (see `leadingWord`).
    var fileTexts: [UnsafeMutableRawPointer: SourceText] = [:]
    /// Whether each file handle met in a location is the main file's.
    var isMainFileHandle: [UnsafeMutableRawPointer: Bool] = [:]

    /// How deeply the expressions, statements and types being converted nest.
    var nesting = 0
    /// Globals whose declarations are being converted (their initializers may name them).
    var globalsInConversion: Set<String> = []
    /// The deepest nesting converted. Conversion and lowering recurse once per level (a
    /// chain `a + a + ... + a` nests once per operator, an `else if` chain once per
    /// `if`), on the main thread's stack; deeper input is an error, not a stack
    /// overflow. clang's own limit on brackets (256) leaves operator, cast and `else if`
    /// chains unbounded.
    static let deepestNesting = 2000

    /// Evaluations by clang that failed for the operators enclosing the one being
    /// converted (see `operatorValue`), and how many are tried before giving up.
    var failedEvaluations = 0
    static let fruitlessEvaluations = 8

    /// `body` one level deeper in the nesting of `c`; an error past `deepestNesting`.
    /// (Type nesting counts too: BTF's type table compares types whole, once per level.)
    func nested<T>(_ c: CXCursor, _ body: () throws -> T) throws -> T {
        guard nesting < Self.deepestNesting else {
            throw error(c, "expressions, statements and types nest more than \(Self.deepestNesting) levels deep")
        }
        nesting += 1
        defer { nesting -= 1 }
        return try body()
    }

    init(tu: CXTranslationUnit, mainFile: String) {
        self.tu = tu
        unit = TranslationUnit(mainFile: mainFile)
    }

    func error(_ c: CXCursor, _ message: String) -> Diagnostic {
        Diagnostic(.error, location(c), message)
    }

    /// C adjusts an array (or function) parameter to a pointer; libclang reports the
    /// type as written (`char *argv[]`, `const u8 b[4]`).
    static func adjustedParameter(_ type: CType) -> CType {
        switch type.canonical {
        case .array(let element, _): return .pointer(element)
        case .function: return .pointer(type)
        default: return type
        }
    }

    /// The expansion location of a cursor (the macro use site for code from macros).
    func location(_ c: CXCursor) -> SourceLocation { location(clang_getCursorLocation(c)) }

    func location(_ loc: CXSourceLocation) -> SourceLocation {
        // An implicit conversion is where the expression it converts is: asked one after
        // the other, the same place is looked up once.
        if let last = lastRawLocation, last.ptr_data.0 == loc.ptr_data.0, last.ptr_data.1 == loc.ptr_data.1,
           last.int_data == loc.int_data {
            return lastLocationValue
        }
        let value: SourceLocation
        let (file, offset) = expansionPosition(loc)
        if let f = file, isMainFile(f), mainLines(f) != nil, mainHasLineDirectives {
            // `#line` renames and renumbers what follows it, for clang's diagnostics and
            // line info alike.
            value = presumedLocation(loc)
        } else if let f = file, isMainFile(f), let lines = mainLines(f) {
            // Counted from libclang's text of the file, as libclang counts them.
            let (line, column) = lines.lineAndColumn(of: Int(offset))
            value = SourceLocation(file: name(of: f), line: line, column: column)
        } else if let f = file, !isMainFile(f) {
            // A header: its line is counted only if asked (see `SourceFile`).
            let header = headerFile(f)
            value = SourceLocation(file: header.name, offset: Int(offset), in: header.source)
        } else {
            value = BPFFrontend.location(loc, name: name(of:))
        }
        lastRawLocation = loc
        lastLocationValue = value
        return value
    }

    /// The name locations give a file (see `fileName`), made once per file.
    func name(of f: CXFile) -> String {
        if let last = lastFile, last.handle == f { return last.name }
        let name: String
        if let known = fileNames[f] { name = known } else {
            name = fileName(f)
            fileNames[f] = name
        }
        lastFile = (f, name)
        return name
    }

    /// The lines of the main file `f` (counted the first time).
    func mainLines(_ f: CXFile) -> LineTable? {
        if mainLineTable == nil, let text = text(of: f) {
            let lines = LineTable(text.bytes)
            mainLineTable = lines
            mainHasLineDirectives = Self.hasLineDirectives(text.bytes, lines)
        }
        return mainLineTable
    }

    /// Whether a line (`lines` over `bytes`) starts, after blanks, with `#line` or a GNU
    /// line marker (`# 12 "file"`).
    static func hasLineDirectives(_ bytes: UnsafeRawBufferPointer, _ lines: LineTable) -> Bool {
        func blank(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
        for start in lines.starts {
            var j = start
            while j < bytes.count && blank(bytes[j]) { j += 1 }
            guard j < bytes.count, bytes[j] == UInt8(ascii: "#") else { continue }
            j += 1
            while j < bytes.count && blank(bytes[j]) { j += 1 }
            if j < bytes.count && bytes[j] >= UInt8(ascii: "0") && bytes[j] <= UInt8(ascii: "9") { return true }
            if j + 4 <= bytes.count && bytes[j..<(j + 4)].elementsEqual("line".utf8) { return true }
        }
        return false
    }

    /// A header's name (as locations name files) and the `SourceFile` its locations point
    /// into, one per header.
    func headerFile(_ f: CXFile) -> (name: String, source: SourceFile) {
        if let known = headerFiles[f] { return known }
        let path = string(clang_getFileName(f))
        let header = (relativeToWorkingDirectory(path), SourceFile(path: path))
        headerFiles[f] = header
        return header
    }

    /// The first token of a cursor's extent when it is a word (an identifier or keyword),
    /// else empty: what names a builtin written as a call (`offsetof`, `__atomic_load_n`).
    /// It is read from the text of the file where the extent's start is spelled (a
    /// macro's definition for a token a macro produced). libclang's tokens of the extent
    /// would be none for a call a header's macro makes (its start spelled in the header,
    /// its end in the file using the macro), and cost a lexing of the whole extent.
    /// (libclang tokenizes when the word goes on in a line splice or a non-ASCII byte.)
    func leadingWord(_ c: CXCursor) -> String {
        if let (text, offset) = spelledStart(of: c), let word = text.word(at: offset) { return word }
        let token = firstToken(tu, c) ?? ""
        return token.utf8.first.map(SourceText.startsWord) == true ? token : ""
    }

    /// The text of the file where the start of `c`'s extent is spelled, and its offset
    /// there (nil in a buffer that is no file: a token pasted by `##`).
    func spelledStart(of c: CXCursor) -> (text: SourceText, offset: Int)? {
        guard let start = spellingPosition(clang_getRangeStart(clang_getCursorExtent(c))),
              let text = text(of: start.file) else { return nil }
        return (text, Int(start.offset))
    }

    /// Whether `f` is the main file.
    private func isMainFile(_ f: CXFile) -> Bool {
        if let known = isMainFileHandle[f] { return known }
        if mainFileHandle == nil { mainFileHandle = clang_getFile(tu, unit.mainFile) }
        let main = mainFileHandle.map { clang_File_isEqual(f, $0) != 0 } ?? false
        isMainFileHandle[f] = main
        return main
    }

    /// The text of file `f` (libclang's buffer, taken the first time).
    private func text(of f: CXFile) -> SourceText? {
        if let known = fileTexts[f] { return known }
        var size = 0
        guard let bytes = clang_getFileContents(tu, f, &size) else { return nil }
        let text = SourceText(bytes: UnsafeRawBufferPointer(start: bytes, count: size))
        fileTexts[f] = text
        return text
    }

    /// The attributes written on a declaration (and whether it is `inline`). They are
    /// read from its pretty-printed form, which is made only for a declaration with
    /// attributes (implicit ones, which the printer leaves out, aside) or an inline function.
    func declAttributes(_ c: CXCursor) -> DeclAttributes {
        let inline = c.kind == CXCursor_FunctionDecl && clang_Cursor_isFunctionInlined(c) != 0
        guard inline || clang_Cursor_hasAttrs(c) != 0 else { return DeclAttributes() }
        return AttributeParser.parse(prettyPrinted(c))
    }

    func usr(_ c: CXCursor) -> String {
        let u = string(clang_getCursorUSR(clang_getCanonicalCursor(c)))
        if !u.isEmpty { return u }
        let l = location(c)
        return "\(l.file):\(l.line):\(l.column):\(spelling(c))"
    }

    // MARK: top level

    func convertTopLevel() {
        let root = clang_getTranslationUnitCursor(tu)
        for c in children(root) {
            // Types are converted when used. Declarations from headers are converted when
            // the program uses them, except non-static definitions (they belong in the
            // object, as with clang); header typedefs are found through the `TypeRef`
            // below a `typeof` that names one (vmlinux.h has tens of thousands).
            guard c.kind == CXCursor_FunctionDecl || c.kind == CXCursor_VarDecl || c.kind == CXCursor_TypedefDecl,
                  isInMainFile(c) || Self.definesExternalSymbol(c) else { continue }
            do {
                switch c.kind {
                case CXCursor_FunctionDecl: try convertFunction(c)
                case CXCursor_VarDecl: try convertGlobal(c)
                default: typedefsByName[spelling(c)] = c
                }
            } catch let d as Diagnostic where c.kind == CXCursor_FunctionDecl && storageClass(c) == .static {
                deferredErrors[spelling(c), default: []].append(d)
            } catch let d as Diagnostic {
                errors.append(d)
            } catch let l as DiagnosticList {
                errors += l.diagnostics
            } catch {
                errors.append(self.error(c, "\(error)"))
            }
        }
    }

    /// Whether `c` defines a function or variable that is neither static nor extern (a
    /// tentative definition such as an uninitialized map counts, as in C).
    static func definesExternalSymbol(_ c: CXCursor) -> Bool {
        let storage = clang_Cursor_getStorageClass(c)
        guard storage != CX_SC_Static && storage != CX_SC_Extern else { return false }
        switch c.kind {
        case CXCursor_FunctionDecl: return clang_isCursorDefinition(c) != 0
        case CXCursor_VarDecl: return true
        default: return false
        }
    }

    /// Whether a declaration is written in the main file, macro expansions included.
    func isInMainFile(_ c: CXCursor) -> Bool {
        guard let f = expansionPosition(clang_getCursorLocation(c)).file else { return false }
        return isMainFile(f)
    }

    /// Converts header functions the program referenced (which may reference more).
    func convertPendingFunctions() {
        while let c = pendingFunctions.popLast() {
            let def = clang_getCursorDefinition(c)
            let target = isNull(def) ? c : def
            do { try convertFunction(target) }
            catch let d as Diagnostic { errors.append(d) }
            catch let l as DiagnosticList { errors += l.diagnostics }
            catch { errors.append(self.error(c, "\(error)")) }
        }
    }

    /// The declaration of a cleanup function not converted yet: one the program referenced
    /// before, or one declared further down the main file. (Not any header's: the
    /// declarations of a parse cache entry's headers are not all visited, and a header
    /// function found only without the cache would make the cache change the output.)
    func cleanupFunction(named name: String) -> CXCursor? {
        if let c = referencedFunctions[name] { return c }
        // Declared in the main file, else in a header (scx's `CLASS(rcu, ...)` names a
        // destructor its header defines and nothing else refers to). With the parse cache,
        // the PCH's declarations are among the top level only when the index shows them
        // (`headerDeclarationsHidden`: the caller parses again with them).
        let top = children(clang_getTranslationUnitCursor(tu))
        return top.first { $0.kind == CXCursor_FunctionDecl && isInMainFile($0) && spelling($0) == name }
            ?? top.first { $0.kind == CXCursor_FunctionDecl && spelling($0) == name }
    }

    /// Queues a referenced function for conversion if it has not been converted yet.
    func requestFunction(_ ref: CXCursor) {
        let name = spelling(ref)
        guard !requestedFunctions.contains(name) else { return }
        requestedFunctions.insert(name)
        referencedFunctions[name] = ref
        if let f = unit.functions.first(where: { $0.name == name }), f.body != nil { return }
        let def = clang_getCursorDefinition(ref)
        if !isNull(def) && isInMainFile(def) { return }
        pendingFunctions.append(ref)
    }

    /// Reports the deferred errors of static functions that used code reaches.
    func finishReachability() {
        guard !deferredErrors.isEmpty else { return }
        var reached: Set<String> = []
        var work: [String] = []
        for f in unit.functions where f.body != nil && (!f.isStatic || f.attributes.section != nil) { work.append(f.name) }
        for g in unit.globals { if let i = g.initializer { var s = Set<String>(); Reachability.referencedFunctions(i, into: &s); work += s } }
        while let n = work.popLast() {
            guard reached.insert(n).inserted else { continue }
            if let errs = deferredErrors[n] { errors += errs }
            if let f = unit.functions.first(where: { $0.name == n }), let b = f.body {
                var s = Set<String>(); Reachability.referencedFunctions(b, into: &s); work += s
            }
        }
    }

    func storageClass(_ c: CXCursor) -> StorageClass {
        switch clang_Cursor_getStorageClass(c) {
        case CX_SC_Static: return .static
        case CX_SC_Extern: return .extern
        case CX_SC_Register: return .register
        default: return .auto
        }
    }

    func convertFunction(_ c: CXCursor) throws {
        let name = spelling(c)
        let type = try convertType(clang_getCursorType(c), at: c)
        guard case .function(let ft) = type.canonical else { throw error(c, "'\(name)' is not a function type") }
        let isDefinition = clang_isCursorDefinition(c) != 0
        let existing = unit.functions.firstIndex { $0.name == name }
        if let i = existing, unit.functions[i].body != nil, !isDefinition { return }
        let attrs = declAttributes(c)
        let storage = storageClass(c)
        locals = [:]; nextLocal = 0; currentFunction = name
        var params: [VarDecl] = []
        let n = Int(clang_Cursor_getNumArguments(c))
        if n > 0 {
            for i in 0..<n {
                let p = clang_Cursor_getArgument(c, UInt32(i))
                let id = nextLocal; nextLocal += 1
                locals[declarationIdentity(p)] = id
                let attrs = declAttributes(p)
                params.append(VarDecl(id: id, name: spelling(p), type: Self.adjustedParameter(try convertType(clang_getCursorType(p), at: p)),
                                      initializer: nil, storage: .auto, attributes: attrs, location: location(p)))
            }
        }
        var body: Stmt? = nil
        if isDefinition, let b = children(c).last(where: { $0.kind == CXCursor_CompoundStmt }) {
            body = try convertStmt(b)
            if let converted = body { try checkAsmGotoLabels(converted) }
            if let converted = body, case let names = CleanupDesugaring.functionNames(converted), !names.isEmpty {
                var known: [String: (type: FunctionType, location: SourceLocation)] = [:]
                for f in unit.functions { known[f.name] = (f.type, f.location) }
                for n in names where known[n] == nil {
                    guard let decl = cleanupFunction(named: n) else {
                        if headerDeclarationsHidden { neededHiddenDeclarations = true }
                        continue
                    }
                    guard case .function(let t) = try convertType(clang_getCursorType(decl), at: decl).canonical else { continue }
                    known[n] = (t, location(decl))
                    requestFunction(decl)
                }
                var cleanups = CleanupDesugaring(functions: known, nextLocal: nextLocal)
                body = cleanups.desugared(converted)
                nextLocal = cleanups.nextLocal
                if !cleanups.errors.isEmpty { throw DiagnosticList(cleanups.errors) }
            }
        }
        let f = FunctionDecl(name: name, type: ft, parameters: params, body: body, isStatic: storage == .static,
                             isExtern: !isDefinition, attributes: attrs, location: location(c))
        if let i = existing {
            var merged = f
            // Attributes of every declaration apply (BPF_PROG puts SEC() on a prototype).
            let old = unit.functions[i].attributes
            if !isDefinition { merged.attributes = old }
            merged.attributes.section = attrs.section ?? old.section
            merged.attributes.used = attrs.used || old.used
            merged.attributes.noinline = attrs.noinline || old.noinline
            merged.attributes.alwaysInline = attrs.alwaysInline || old.alwaysInline
            merged.attributes.weak = attrs.weak || old.weak
            merged.attributes.asmLabel = attrs.asmLabel ?? old.asmLabel
            merged.attributes.btfDeclTags = old.btfDeclTags + attrs.btfDeclTags.filter { !old.btfDeclTags.contains($0) }
            unit.functions[i] = merged
        } else {
            unit.functions.append(f)
        }
        currentFunction = ""
    }

    /// A map definition's members point at its key and value types (`__type(key, struct k)`
    /// is `struct k *key`): those records are needed whole (libbpf reads their layout).
    func convertMapPointees(_ t: CXType, at c: CXCursor) throws {
        let decl = clang_getTypeDeclaration(clang_getCanonicalType(t))
        guard decl.kind == CXCursor_StructDecl || decl.kind == CXCursor_UnionDecl else { return }
        let saved = typeContext
        defer { typeContext = saved }
        for f in fields(of: clang_getCanonicalType(t)) {
            typeContext = (false, false)
            _ = try convertType(clang_getCursorType(f), at: f)
        }
    }

    func convertGlobal(_ c: CXCursor) throws {
        let name = spelling(c)
        // A global whose initializer names it (`struct N head = { &head, 1 };`) is converted
        // once: the reference inside refers to the global being converted.
        guard globalsInConversion.insert(name).inserted else { return }
        defer { globalsInConversion.remove(name) }
        let storage = storageClass(c)
        let type = try convertType(clang_getCursorType(c), at: c)
        let attrs = declAttributes(c)
        if attrs.section == ".maps" { try convertMapPointees(clang_getCursorType(c), at: c) }
        let initCursor = clang_Cursor_getVarDeclInitializer(c)
        let initializer: Initializer? = isNull(initCursor) ? nil : try buildInitializer(type, initCursor)
        let g = GlobalVar(name: name, type: type, initializer: initializer, isStatic: storage == .static,
                          isExtern: storage == .extern, isDefinition: storage != .extern,
                          attributes: attrs, location: location(c))
        if let i = unit.globals.firstIndex(where: { $0.name == name }) {
            // Keep the definition with an initializer; merge attributes of earlier declarations.
            var old = unit.globals[i]
            if g.initializer != nil || (old.isExtern && !g.isExtern) {
                var merged = g
                if merged.attributes.section == nil { merged.attributes.section = old.attributes.section }
                merged.attributes.weak = merged.attributes.weak || old.attributes.weak
                unit.globals[i] = merged
            } else {
                if old.attributes.section == nil { old.attributes.section = attrs.section }
                unit.globals[i] = old
            }
        } else {
            unit.globals.append(g)
            usedGlobalNames.insert(name)
        }
    }
}

/// A libclang type (its kind and two words: the type and the translation unit) and the
/// context a conversion reached it in (`Converter.typeContext`).
struct ConvertedTypeKey: Hashable {
    let kind: UInt32
    let type: UnsafeMutableRawPointer?
    let unit: UnsafeMutableRawPointer?
    let context: UInt8

    init(_ t: CXType, inMember: Bool, behindPointer: Bool) {
        kind = t.kind.rawValue
        type = t.data.0
        unit = t.data.1
        context = (inMember ? 1 : 0) | (behindPointer ? 2 : 0)
    }

    /// The words folded and multiplied (no SipHash: the table is looked up for every
    /// expression's type).
    func _rawHashValue(seed: Int) -> Int {
        var x = UInt64(UInt(bitPattern: type)) &* 0x9e37_79b9_7f4a_7c15
        x ^= (x >> 29) ^ UInt64(kind) << 3 ^ UInt64(context)
        x = (x ^ UInt64(UInt(bitPattern: unit))) &* 0xbf58_476d_1ce4_e5b9
        return Int(bitPattern: UInt(truncatingIfNeeded: x ^ (x >> 31))) &+ seed
    }
    func hash(into h: inout Hasher) { h.combine(_rawHashValue(seed: 0)) }
}
