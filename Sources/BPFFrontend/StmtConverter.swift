import CClang

extension Converter {
    func convertStmt(_ c: CXCursor) throws -> Stmt { try nested(c) { try convertStmtNode(c) } }

    private func convertStmtNode(_ c: CXCursor) throws -> Stmt {
        let loc = location(c)
        func make(_ k: StmtKind) -> Stmt { Stmt(k, location: loc) }
        let kids = children(c)
        switch c.kind {
        case CXCursor_CompoundStmt:
            return make(.compound(try withLocalLabels(declaredIn: kids) { try kids.map(convertStmt) }))
        case CXCursor_DeclStmt:
            var decls: [VarDecl] = []
            for d in kids {
                switch d.kind {
                case CXCursor_VarDecl:
                    if let v = try localVar(d) { decls.append(v) }
                case CXCursor_StaticAssert, CXCursor_StructDecl, CXCursor_UnionDecl, CXCursor_EnumDecl, CXCursor_TypedefDecl:
                    break
                case CXCursor_FunctionDecl:
                    // A block-scope function declaration: converting it must not disturb this function's state.
                    let saved = (locals, nextLocal, currentFunction)
                    defer { (locals, nextLocal, currentFunction) = saved }
                    try convertFunction(d)
                default: break
                }
            }
            return make(.declaration(decls))
        case CXCursor_IfStmt:
            guard kids.count >= 2 else { throw error(c, "malformed if statement") }
            let cond = try convertExpr(kids[0])
            let then = try convertStmt(kids[1])
            let els = kids.count > 2 ? try convertStmt(kids[2]) : nil
            return make(.ifStmt(cond, then, els))
        case CXCursor_WhileStmt:
            guard kids.count == 2 else { throw error(c, "malformed while statement") }
            return make(.whileStmt(try convertExpr(kids[0]), try convertStmt(kids[1])))
        case CXCursor_DoStmt:
            guard kids.count == 2 else { throw error(c, "malformed do statement") }
            return make(.doWhile(try convertStmt(kids[0]), try convertExpr(kids[1])))
        case CXCursor_ForStmt:
            return try forStmt(c, kids, loc)
        case CXCursor_SwitchStmt:
            guard kids.count >= 2 else { throw error(c, "malformed switch statement") }
            return make(.switchStmt(try convertExpr(kids[kids.count - 2]), try convertStmt(kids[kids.count - 1])))
        case CXCursor_CaseStmt:
            guard kids.count >= 2 else { throw error(c, "malformed case statement") }
            guard let lo = evaluateInteger(kids[0]) else { throw error(kids[0], "case value is not a constant") }
            if kids.count >= 3 && isExpression(kids[1]), let hi = evaluateInteger(kids[1]) {
                return make(.caseStmt(Int64(bitPattern: lo.value), upper: Int64(bitPattern: hi.value), try convertStmt(kids[2])))
            }
            return make(.caseStmt(Int64(bitPattern: lo.value), upper: nil, try convertStmt(kids[kids.count - 1])))
        case CXCursor_DefaultStmt:
            guard let body = kids.last else { throw error(c, "malformed default statement") }
            return make(.defaultStmt(try convertStmt(body)))
        case CXCursor_BreakStmt: return make(.breakStmt)
        case CXCursor_ContinueStmt: return make(.continueStmt)
        case CXCursor_ReturnStmt:
            return make(.returnStmt(try kids.first.map(convertExpr)))
        case CXCursor_GotoStmt:
            guard let label = kids.first else { throw error(c, "malformed goto") }
            return make(.gotoStmt(labelName(spelling(label))))
        case CXCursor_LabelStmt:
            return make(.label(labelName(spelling(c)), try kids.last.map(convertStmt) ?? make(.null)))
        case CXCursor_NullStmt:
            return make(.null)
        case CXCursor_GCCAsmStmt:
            return make(.asm(try asmStmt(c)))
        case CXCursor_StaticAssert:
            return make(.null)
        default:
            if isExpression(c) { return make(.expression(try convertExpr(c))) }
            if c.kind == CXCursor_UnexposedStmt, let only = kids.first, kids.count == 1 {
                // An attributed statement: a loop under an unroll pragma is noted.
                let loop = try convertStmt(only)
                if [CXCursor_ForStmt, CXCursor_WhileStmt, CXCursor_DoStmt].contains(only.kind), asksForFullUnroll(c, before: only) {
                    unit.fullUnrollRequests.insert(loop.location)
                }
                return loop
            }
            throw error(c, "unsupported statement (\(string(clang_getCursorKindSpelling(c.kind))))")
        }
    }

    /// libclang omits the missing parts of `for (;;)`: place the children by the
    /// positions of the two semicolons and the closing parenthesis of the header.
    private func forStmt(_ c: CXCursor, _ kids: [CXCursor], _ loc: SourceLocation) throws -> Stmt {
        guard let body = kids.last else { throw error(c, "malformed for statement") }
        let header = Array(kids.dropLast())
        var initial: Stmt? = nil, cond: Expr? = nil, inc: Expr? = nil
        func setInitial(_ k: CXCursor) throws {
            initial = isExpression(k) ? Stmt(.expression(try convertExpr(k)), location: location(k)) : try convertStmt(k)
        }
        if let roles = forHeaderRoles(c, header) {
            for (k, role) in zip(header, roles) {
                switch role {
                case 0: try setInitial(k)
                case 1: cond = try convertExpr(k)
                default: inc = try convertExpr(k)
                }
            }
        } else {
            // Parts spelled in different places (macro arguments): libclang lists the
            // present ones in order; a declaration can only be the initializer, and with
            // two expressions left they are the condition and the increment.
            var rest = header[...]
            if header.count == 3 || (rest.first.map { !isExpression($0) } ?? false) {
                try setInitial(rest.removeFirst())
            }
            if let k = rest.first { cond = try convertExpr(k); rest.removeFirst() }
            if let k = rest.first { inc = try convertExpr(k) }
        }
        return Stmt(.forStmt(initial: initial, condition: cond, increment: inc, body: try convertStmt(body)), location: loc)
    }

    /// Which part of `for (init; cond; inc)` each header child is (0, 1, 2), found by
    /// where the `;`s are in the text that spells the statement — inside a macro
    /// definition when the loop comes from a macro. Nil when a part is spelled elsewhere.
    private func forHeaderRoles(_ c: CXCursor, _ header: [CXCursor]) -> [Int]? {
        let extent = clang_getCursorExtent(c)
        guard let start = spellingPosition(clang_getRangeStart(extent)),
              let end = spellingPosition(clang_getRangeEnd(extent)),
              clang_File_isEqual(start.file, end.file) != 0, end.offset > start.offset else { return nil }
        let range = clang_getRange(clang_getLocationForOffset(tu, start.file, start.offset),
                                   clang_getLocationForOffset(tu, end.file, end.offset))
        let toks = tokens(tu, range)
        guard toks.count >= 2, toks[0].text == "for", toks[1].text == "(" else { return nil }
        var depth = 0
        var semis: [UInt32] = []
        var close: UInt32? = nil
        for t in toks.dropFirst() {
            if t.text == "(" { depth += 1 }
            else if t.text == ")" { depth -= 1; if depth == 0 { close = t.offset; break } }
            else if t.text == ";" && depth == 1 { semis.append(t.offset) }
        }
        guard semis.count == 2, let close else { return nil }
        var roles: [Int] = []
        for k in header {
            guard let p = spellingPosition(clang_getRangeStart(clang_getCursorExtent(k))),
                  clang_File_isEqual(p.file, start.file) != 0, p.offset > start.offset, p.offset < close else { return nil }
            roles.append(p.offset < semis[0] ? 0 : p.offset < semis[1] ? 1 : 2)
        }
        return roles
    }

    /// A local variable; static locals are hoisted to globals named `function.name`.
    func localVar(_ d: CXCursor) throws -> VarDecl? {
        let name = spelling(d)
        let type = try convertType(clang_getCursorType(d), at: d)
        let storage = storageClass(d)
        let initCursor = clang_Cursor_getVarDeclInitializer(d)
        let attrs = declAttributes(d)
        if storage == .static || storage == .extern {
            if storage == .extern {
                if unit.globals.first(where: { $0.name == name }) == nil { try convertGlobal(d) }
                return nil
            }
            var gname = "\(currentFunction).\(name)"
            var k = 1
            while usedGlobalNames.contains(gname) { gname = "\(currentFunction).\(name).\(k)"; k += 1 }
            usedGlobalNames.insert(gname)
            staticLocalNames[declarationIdentity(d)] = gname
            let initializer = isNull(initCursor) ? nil : try buildInitializer(type, initCursor)
            unit.globals.append(GlobalVar(name: gname, type: type, initializer: initializer, isStatic: true, isExtern: false,
                                          isDefinition: true, attributes: attrs, location: location(d)))
            return nil
        }
        let id = nextLocal; nextLocal += 1
        locals[declarationIdentity(d)] = id
        let initializer = isNull(initCursor) ? nil : try buildInitializer(type, initCursor)
        return VarDecl(id: id, name: name, type: type, initializer: initializer, storage: storage, attributes: attrs,
                       location: location(d))
    }

    private func asmStmt(_ c: CXCursor) throws -> AsmStatement {
        let template = string(clang_Cursor_getGCCAssemblyTemplate(c))
        var outs: [(constraint: String, expr: Expr)] = []
        var ins: [(constraint: String, expr: Expr)] = []
        let no = Int(clang_Cursor_getGCCAssemblyNumOutputs(c))
        for i in 0..<no {
            var constraint = CXString(), expr = CXCursor()
            if clang_Cursor_getGCCAssemblyOutput(c, UInt32(i), &constraint, &expr) != 0 {
                outs.append((string(constraint), try convertExpr(expr)))
            }
        }
        let ni = Int(clang_Cursor_getGCCAssemblyNumInputs(c))
        for i in 0..<ni {
            var constraint = CXString(), expr = CXCursor()
            if clang_Cursor_getGCCAssemblyInput(c, UInt32(i), &constraint, &expr) != 0 {
                ins.append((string(constraint), try convertExpr(expr)))
            }
        }
        var clobbers: [String] = []
        let nc = Int(clang_Cursor_getGCCAssemblyNumClobbers(c))
        for i in 0..<nc { clobbers.append(string(clang_Cursor_getGCCAssemblyClobber(c, UInt32(i)))) }
        var labels: [String] = []
        if clang_Cursor_isGCCAssemblyHasGoto(c) != 0 {
            guard let names = asmGotoLabelNames(c) else { throw error(c, "cannot read the labels of this 'asm goto' statement") }
            labels = names.map(labelName)
        }
        return AsmStatement(template: template, outputs: outs, inputs: ins, clobbers: clobbers,
                            // GNU C: an asm statement without outputs is implicitly volatile
                            // (and so is asm goto).
                            isVolatile: clang_Cursor_isGCCAssemblyVolatile(c) != 0 || outs.isEmpty || !labels.isEmpty,
                            labels: labels)
    }

    /// `body`'s result, converted with the local labels the block's statements `kids`
    /// declare in scope.
    func withLocalLabels<T>(declaredIn kids: [CXCursor], _ body: () throws -> T) rethrows -> T {
        let declared = localLabels(declaredIn: kids)
        if declared.isEmpty { return try body() }
        labelScopes.append(declared)
        defer { labelScopes.removeLast() }
        return try body()
    }

    /// The labels a block declares local (`__label__ a, b;`, which libclang shows as
    /// declarations of no exposed kind), each with a name unique in the function.
    private func localLabels(declaredIn kids: [CXCursor]) -> [String: String] {
        var out: [String: String] = [:]
        for k in kids where k.kind == CXCursor_DeclStmt {
            for d in children(k) where d.kind == CXCursor_UnexposedDecl {
                let name = spelling(d)
                guard !name.isEmpty else { continue }
                localLabelCount += 1
                out[name] = "\(name).\(localLabelCount)"     // no C identifier has a dot
            }
        }
        return out
    }

    /// A label's name in the function: a local label's unique name where one is in scope.
    private func labelName(_ name: String) -> String {
        for scope in labelScopes.reversed() { if let unique = scope[name] { return unique } }
        return name
    }

    /// `asm goto`'s label names: the list after the statement's fourth colon, read from the
    /// tokens that spell the statement (inside a macro's definition when a macro writes
    /// it). libclang offers the labels no other way.
    private func asmGotoLabelNames(_ c: CXCursor) -> [String]? {
        // (The extent's end is no help: inside a macro it is where the macro is used.)
        guard let start = spellingPosition(clang_getRangeStart(clang_getCursorExtent(c))) else { return nil }
        var size = 0
        guard clang_getFileContents(tu, start.file, &size) != nil, size > Int(start.offset) else { return nil }
        // The statement's tokens: those of the next 2 KB, or 64 KB for a longer statement.
        for window in [2_048, 65_536] {
            let end = UInt32(min(size, Int(start.offset) + window))
            let range = clang_getRange(clang_getLocationForOffset(tu, start.file, start.offset),
                                       clang_getLocationForOffset(tu, start.file, end))
            let toks = tokens(tu, range)
            guard let open = toks.firstIndex(where: { $0.text == "(" }) else { return nil }
            var depth = 0, colons = 0, names: [String] = []
            for t in toks[open...] {
                switch t.text {
                case "(", "[": depth += 1
                case ")", "]":
                    depth -= 1
                    if depth == 0 { return colons == 4 && !names.isEmpty ? names : nil }
                case ":" where depth == 1: colons += 1
                case "::" where depth == 1: colons += 2         // one token in C23
                default:
                    if depth == 1 && colons == 4 && t.kind == CXToken_Identifier { names.append(t.text) }
                }
            }
            if Int(end) == size { break }
        }
        return nil
    }

    /// Every `asm goto` label is a label of the function `body` (one named through a
    /// macro's parameter is read as the parameter's name, and found nowhere).
    func checkAsmGotoLabels(_ body: Stmt) throws {
        var defined: Set<String> = []
        var used: [(String, SourceLocation)] = []
        ASTWalk.visit(body, stmt: { s in
            switch s.kind {
            case .label(let name, _): defined.insert(name)
            case .asm(let a): for l in a.labels { used.append((l, s.location)) }
            default: break
            }
        }, expr: { _ in })
        for (name, loc) in used where !defined.contains(name) {
            let shown = name.split(separator: ".").first.map(String.init) ?? name
            throw Diagnostic(.error, loc, "'asm goto' label '\(shown)' is not a label of this function (labels passed through a macro's parameters are not supported)")
        }
    }
}

extension Converter {
    /// Whether the pragma in front of `loop` (the tokens of the attributed statement
    /// before the loop) asks for a full unroll: `#pragma unroll` without a count, or
    /// `#pragma clang loop unroll(full)` / `unroll(enable)`.
    func asksForFullUnroll(_ attributed: CXCursor, before loop: CXCursor) -> Bool {
        let loopStart = tokens(tu, loop).first?.offset ?? UInt32.max
        let words = tokens(tu, attributed).filter { $0.offset < loopStart }.map(\.text)
        guard let p = words.firstIndex(of: "pragma"), p + 1 < words.count else { return false }
        let rest = Array(words[(p + 1)...])
        if rest == ["unroll"] { return true }
        if rest.first == "clang", rest.count >= 6, rest[1] == "loop", rest[2] == "unroll", rest[3] == "(" {
            return rest[4] == "full" || rest[4] == "enable"
        }
        return false
    }
}
