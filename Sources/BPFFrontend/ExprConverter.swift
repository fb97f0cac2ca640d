import CClang

extension Converter {
    func exprType(_ c: CXCursor) throws -> CType { try convertType(clang_getCursorType(c), at: c) }

    /// Expression children, ordered by source position (AtomicExpr stores them out of order).
    func exprChildren(_ c: CXCursor) -> [CXCursor] {
        // `__builtin_bit_cast` has a cursor kind outside libclang's expression range.
        children(c).filter { isExpression($0) || $0.kind == CXCursor_CompoundStmt || $0.kind == CXCursor_BuiltinBitCastExpr }
    }

    func convertExpr(_ c: CXCursor) throws -> Expr {
        // An operator's failed evaluation counts for its operands only (`operatorValue`).
        let failedBefore = failedEvaluations
        defer { failedEvaluations = failedBefore }
        if c.kind == CXCursor_BuiltinBitCastExpr { throw bitCastRefusal(c) }
        return try nested(c) { try convertExprNode(c) }
    }

    private func convertExprNode(_ c: CXCursor) throws -> Expr {
        let loc = location(c)
        let type: CType
        if c.kind == CXCursor_DeclRefExpr, clang_getCursorReferenced(c).kind == CXCursor_FunctionDecl {
            // Builtins have "<builtin fn type>": use the declaration's type.
            let ref = clang_getCursorReferenced(c)
            type = (try? convertType(clang_getCursorType(ref), at: ref)) ?? .function(FunctionType(returnType: .int(bytes: 4, signed: true, name: "int"), parameters: [], isVariadic: true, hasPrototype: false))
        } else if c.kind == CXCursor_UnexposedExpr, let t = try? exprType(c) {
            type = t
        } else if c.kind == CXCursor_UnexposedExpr {
            type = .pointer(.void)   // BuiltinFnToFnPtr decay of a builtin
        } else {
            type = try exprType(c)
        }
        func make(_ k: ExprKind) -> Expr { Expr(k, type: type, location: loc) }
        if case .float = type.canonical {
            throw error(c, "floating point values are not supported by BPF")
        }
        switch c.kind {
        case CXCursor_IntegerLiteral, CXCursor_CharacterLiteral:
            guard let v = evaluateInteger(c) else { throw error(c, "cannot evaluate literal") }
            return make(.intLiteral(v.value))
        case CXCursor_FloatingLiteral:
            throw error(c, "floating point is not supported by BPF")
        case CXCursor_StringLiteral:
            return make(.stringLiteral(try stringBytes(c, type: type)))
        case CXCursor_ParenExpr:
            guard let inner = exprChildren(c).first else { throw error(c, "empty parentheses") }
            return try convertExpr(inner)
        case CXCursor_DeclRefExpr:
            return try declRef(c, type: type, loc: loc)
        case CXCursor_UnaryOperator:
            guard let inner = exprChildren(c).first else { throw error(c, "malformed unary operator") }
            let op: UnaryOp
            switch clang_getCursorUnaryOperatorKind(c) {
            case CXUnaryOperator_PostInc: op = .postInc
            case CXUnaryOperator_PostDec: op = .postDec
            case CXUnaryOperator_PreInc: op = .preInc
            case CXUnaryOperator_PreDec: op = .preDec
            case CXUnaryOperator_AddrOf: op = .addressOf
            case CXUnaryOperator_Deref: op = .deref
            case CXUnaryOperator_Plus: op = .plus
            case CXUnaryOperator_Minus: op = .minus
            case CXUnaryOperator_Not: op = .bitNot
            case CXUnaryOperator_LNot: op = .logicalNot
            case CXUnaryOperator_Real: op = .real
            case CXUnaryOperator_Imag: op = .imag
            case CXUnaryOperator_Extension: return try convertExpr(inner)
            default: throw error(c, "unsupported unary operator")
            }
            // (libclang may give a value for an operand with side effects — `~(c ? 7 :
            // -(a2++)) != g)` —, which folding would drop: only pure operands fold.)
            if op == .minus || op == .bitNot || op == .logicalNot, type.isInteger, let v = operatorValue(c), isPure(inner) {
                return make(.intLiteral(v.value))
            }
            return make(.unary(op, try convertExpr(inner)))
        case CXCursor_BinaryOperator, CXCursor_CompoundAssignOperator:
            let kids = exprChildren(c)
            guard kids.count == 2 else { throw error(c, "malformed binary operator") }
            let op = try binaryOp(c)
            if ![.assign, .comma].contains(op) && !op.isAssignment, type.isInteger,
               let v = operatorValue(c), isPure(kids[0]), isPure(kids[1]) {
                return make(.intLiteral(v.value))
            }
            return make(.binary(op, try convertExpr(kids[0]), try convertExpr(kids[1])))
        case CXCursor_ConditionalOperator:
            let kids = exprChildren(c)
            guard kids.count == 3 else { throw error(c, "malformed conditional operator") }
            return make(.conditional(try convertExpr(kids[0]), try convertExpr(kids[1]), try convertExpr(kids[2])))
        case CXCursor_CStyleCastExpr:
            guard let inner = exprChildren(c).last else { throw error(c, "malformed cast") }
            let e = try convertExpr(inner)
            if case .initList(let i) = e.kind, type.canonical != e.type.canonical || true {
                return make(.compoundLiteral(i))
            }
            return make(.cast(e, implicit: false))
        case CXCursor_CallExpr:
            return try convertCall(c, type: type, at: loc)
        case CXCursor_MemberRefExpr:
            return try memberExpr(c, type: type, loc: loc)
        case CXCursor_ArraySubscriptExpr:
            let kids = exprChildren(c)
            guard kids.count == 2 else { throw error(c, "malformed subscript") }
            var base = try convertExpr(kids[0]), index = try convertExpr(kids[1])
            if base.type.isInteger && (index.type.isPointer || index.type.pointee != nil) { swap(&base, &index) }
            return make(.arraySubscript(base, index))
        case CXCursor_InitListExpr:
            return make(.initList(try buildInitializer(type, c)))
        case CXCursor_CompoundLiteralExpr:
            guard let list = children(c).last(where: { $0.kind == CXCursor_InitListExpr }) else {
                throw error(c, "malformed compound literal")
            }
            return make(.compoundLiteral(try buildInitializer(type, list)))
        case CXCursor_StmtExpr:
            guard let body = children(c).first(where: { $0.kind == CXCursor_CompoundStmt }) else {
                throw error(c, "malformed statement expression")
            }
            let kids = children(body)
            return make(.statementExpr(try withLocalLabels(declaredIn: kids) { try kids.map(convertStmt) }))
        case CXCursor_UnaryExpr:
            // sizeof, _Alignof, __builtin_offsetof, vec_step: constants.
            if let v = evaluateInteger(c) { return make(.intLiteral(v.value)) }
            throw error(c, "unsupported constant expression")
        case CXCursor_GenericSelectionExpr:
            if let v = evaluateInteger(c) { return make(.intLiteral(v.value)) }
            // libclang does not say which association was selected: take the one result
            // expression whose type is the selection's type, if there is exactly one.
            let results = exprChildren(c).dropFirst().filter { k in
                (try? exprType(k)).map { $0 == type } ?? false
            }
            if results.count == 1, let only = results.first { return try convertExpr(only) }
            if let chosen = genericAssociationNamingControllingType(c) { return try convertExpr(chosen) }
            throw error(c, "cannot determine which _Generic association is selected")
        case CXCursor_GNUNullExpr, CXCursor_CXXNullPtrLiteralExpr:
            return make(.intLiteral(0))
        case CXCursor_UnexposedExpr:
            return try unexposed(c, type: type, loc: loc)
        case CXCursor_AddrLabelExpr:
            throw error(c, "the address of a label ('&&label', for a computed goto) is not supported: eBPF has no indirect jumps")
        default:
            if let v = evaluateInteger(c), type.isInteger { return make(.intLiteral(v.value)) }
            throw error(c, "unsupported expression (\(string(clang_getCursorKindSpelling(c.kind))))")
        }
    }

    /// A call (in a function of its own: `convertExprNode`'s frame is taken at every
    /// level of nesting, and a call's locals are many).
    @inline(never)
    private func convertCall(_ c: CXCursor, type: CType, at loc: SourceLocation) throws -> Expr {
        func make(_ k: ExprKind) -> Expr { Expr(k, type: type, location: loc) }
        if let address = try builtinAddressOf(c) { return address }
        let kids = exprChildren(c)
        guard let callee = kids.first else { throw error(c, "malformed call") }
        var args: [Expr] = []
        let n = Int(clang_Cursor_getNumArguments(c))
        // The probability `__builtin_expect_with_probability` takes is a hint, a double
        // constant: it stands as a zero (lowering evaluates only the first argument).
        let hintAt = n == 3 && spelling(c) == "__builtin_expect_with_probability" ? 2 : -1
        for i in 0..<max(n, 0) {
            let a = clang_Cursor_getArgument(c, UInt32(i))
            args.append(i == hintAt ? Expr(.intLiteral(0), type: .int(bytes: 4, signed: true, name: "int"), location: location(a))
                                    : try convertExpr(a))
        }
        let calleeExpr = try convertExpr(callee)
        if case .declRef(.function(let name)) = calleeExpr.withoutCasts.kind, !args.isEmpty {
            // BPF CO-RE builtins take a type (or an enumerator) in expression disguise.
            switch name {
            case "__builtin_preserve_type_info", "__builtin_btf_type_id":
                args[0] = Expr(.typeOperand(args[0].type), type: args[0].type, location: args[0].location)
            case "__builtin_preserve_enum_value":
                if let enumerator = enumeratorName(in: clang_Cursor_getArgument(c, 0)) {
                    args[0] = Expr(.enumValueOperand(args[0].type, enumerator), type: args[0].type,
                                   location: args[0].location)
                }
            default: break
            }
        }
        if case .declRef(.function(let name)) = calleeExpr.withoutCasts.kind, name == "__builtin_types_compatible_p" || name == "__builtin_choose_expr" {
            if let v = evaluateInteger(c) { return make(.intLiteral(v.value)) }
        }
        return make(.call(calleeExpr, args))
    }

    /// `__builtin_bit_cast`, whose cursor kind is outside libclang's expression range: it
    /// gives the expression no type.
    @inline(never)
    private func bitCastRefusal(_ c: CXCursor) -> Diagnostic {
        error(c, "'__builtin_bit_cast' is not supported: libclang does not give its type; copy the bytes with __builtin_memcpy or read them through a union")
    }

    /// `__builtin_addressof(x)` is `&x` (libclang types its declaration with a reference).
    @inline(never)
    private func builtinAddressOf(_ c: CXCursor) throws -> Expr? {
        guard clang_Cursor_getNumArguments(c) == 1, spelling(c) == "__builtin_addressof" else { return nil }
        let object = try convertExpr(clang_Cursor_getArgument(c, 0))
        return Expr(.unary(.addressOf, object), type: .pointer(object.type), location: location(c))
    }

    /// The enumerator named inside `*(typeof(enum E) *)NAME`.
    func enumeratorName(in c: CXCursor) -> String? {
        if c.kind == CXCursor_DeclRefExpr {
            let ref = clang_getCursorReferenced(c)
            return ref.kind == CXCursor_EnumConstantDecl ? spelling(ref) : nil
        }
        for k in children(c) { if let n = enumeratorName(in: k) { return n } }
        return nil
    }


    /// The value clang evaluates for the operator `c`, unless evaluations of the operators
    /// above it failed `fruitlessEvaluations` times already. Each evaluation walks the
    /// operator's whole operand tree: asked at every level of a chain `a + a + ... + a`,
    /// it took seconds (quadratic); the constants left in such a chain are folded by the
    /// optimizer. A failure counts for the operands (`convertExpr` restores the count).
    func operatorValue(_ c: CXCursor) -> (value: UInt64, isUnsigned: Bool)? {
        guard failedEvaluations < Self.fruitlessEvaluations else { return nil }
        if let v = evaluateInteger(c) { return v }
        failedEvaluations += 1
        return nil
    }

    /// An expression without side effects, safe to fold.
    func isPure(_ c: CXCursor) -> Bool {
        switch c.kind {
        case CXCursor_CallExpr, CXCursor_CompoundAssignOperator, CXCursor_StmtExpr: return false
        case CXCursor_BinaryOperator:
            if let op = try? binaryOp(c), op.isAssignment || op == .assign { return false }
        case CXCursor_UnaryOperator:
            let k = clang_getCursorUnaryOperatorKind(c)
            if [CXUnaryOperator_PostInc, CXUnaryOperator_PostDec, CXUnaryOperator_PreInc, CXUnaryOperator_PreDec].contains(k) { return false }
        default: break
        }
        return children(c).allSatisfy { !isExpression($0) || isPure($0) }
    }

    func binaryOp(_ c: CXCursor) throws -> BinaryOp {
        switch clang_getCursorBinaryOperatorKind(c) {
        case CXBinaryOperator_Mul: return .mul
        case CXBinaryOperator_Div: return .div
        case CXBinaryOperator_Rem: return .rem
        case CXBinaryOperator_Add: return .add
        case CXBinaryOperator_Sub: return .sub
        case CXBinaryOperator_Shl: return .shl
        case CXBinaryOperator_Shr: return .shr
        case CXBinaryOperator_LT: return .lt
        case CXBinaryOperator_GT: return .gt
        case CXBinaryOperator_LE: return .le
        case CXBinaryOperator_GE: return .ge
        case CXBinaryOperator_EQ: return .eq
        case CXBinaryOperator_NE: return .ne
        case CXBinaryOperator_And: return .bitAnd
        case CXBinaryOperator_Xor: return .bitXor
        case CXBinaryOperator_Or: return .bitOr
        case CXBinaryOperator_LAnd: return .logicalAnd
        case CXBinaryOperator_LOr: return .logicalOr
        case CXBinaryOperator_Assign: return .assign
        case CXBinaryOperator_MulAssign: return .mulAssign
        case CXBinaryOperator_DivAssign: return .divAssign
        case CXBinaryOperator_RemAssign: return .remAssign
        case CXBinaryOperator_AddAssign: return .addAssign
        case CXBinaryOperator_SubAssign: return .subAssign
        case CXBinaryOperator_ShlAssign: return .shlAssign
        case CXBinaryOperator_ShrAssign: return .shrAssign
        case CXBinaryOperator_AndAssign: return .andAssign
        case CXBinaryOperator_XorAssign: return .xorAssign
        case CXBinaryOperator_OrAssign: return .orAssign
        case CXBinaryOperator_Comma: return .comma
        default: throw error(c, "unsupported binary operator")
        }
    }

    private func declRef(_ c: CXCursor, type: CType, loc: SourceLocation) throws -> Expr {
        let ref = clang_getCursorReferenced(c)
        func make(_ k: ExprKind) -> Expr { Expr(k, type: type, location: loc) }
        switch ref.kind {
        case CXCursor_EnumConstantDecl:
            return make(.intLiteral(UInt64(bitPattern: clang_getEnumConstantDeclValue(ref))))
        case CXCursor_FunctionDecl:
            requestFunction(ref)
            return make(.declRef(.function(spelling(ref))))
        case CXCursor_VarDecl, CXCursor_ParmDecl:
            let key = declarationIdentity(ref)
            if let id = locals[key] {
                if ref.kind == CXCursor_ParmDecl { return Expr(.declRef(.local(id)), type: Self.adjustedParameter(type), location: loc) }
                return make(.declRef(.local(id)))
            }
            if let g = staticLocalNames[key] { return make(.declRef(.global(g))) }
            let name = spelling(ref)
            if unit.globals.first(where: { $0.name == name }) == nil && clang_getCursorSemanticParent(ref).kind == CXCursor_TranslationUnit {
                try convertGlobal(ref)
            }
            return make(.declRef(.global(name)))
        default:
            if let v = evaluateInteger(c) { return make(.intLiteral(v.value)) }
            throw error(c, "unsupported reference to '\(spelling(ref))'")
        }
    }

    private func memberExpr(_ c: CXCursor, type: CType, loc: SourceLocation) throws -> Expr {
        let fieldCursor = clang_getCursorReferenced(c)
        let name = spelling(fieldCursor)
        guard let baseCursor = exprChildren(c).first else { throw error(c, "member access without a base") }
        let base = try convertExpr(baseCursor)
        let isArrow = base.type.isPointer
        guard let recordType = isArrow ? base.type.pointee : base.type,
              case .record(let rid) = recordType.canonical else {
            throw error(c, "member reference base is not a struct or union")
        }
        let path: [Int]
        if let p = fieldPath(rid, cursor: fieldCursor) {
            path = p   // also the implicit access of an anonymous member (libclang may skip
                       // the enclosing anonymous members' own implicit accesses)
        } else if let p = fieldPath(rid, name: name) {
            path = p
        } else {
            throw error(c, "no member named '\(name)'")
        }
        // Anonymous members on the way become explicit member accesses.
        var cur = base
        var arrow = isArrow
        var rec = rid
        for (k, idx) in path.enumerated() {
            let f = unit.records[rec].fields[idx]
            let t = k == path.count - 1 ? type : f.type
            cur = Expr(.member(cur, fieldIndex: idx, isArrow: arrow), type: t, location: loc)
            arrow = false
            if case .record(let next) = f.type.canonical { rec = next }
        }
        return cur
    }

    /// Field indices from record `rid` to the field declared at `cursor`, through anonymous members.
    func fieldPath(_ rid: RecordID, cursor: CXCursor) -> [Int]? {
        fieldPath(rid) { rec, i in self.fieldCursors[rec].map { i < $0.count && clang_equalCursors($0[i], cursor) != 0 } ?? false }
    }

    /// Field indices from record `rid` to the field `name`, through anonymous members.
    func fieldPath(_ rid: RecordID, name: String) -> [Int]? {
        fieldPath(rid) { rec, i in self.unit.records[rec].fields[i].name == name }
    }

    /// Field indices from record `rid` to the first field (depth first, through anonymous
    /// members) for which `isTarget(record, index)` holds.
    private func fieldPath(_ rid: RecordID, to isTarget: (RecordID, Int) -> Bool) -> [Int]? {
        let fields = unit.records[rid].fields
        if let i = fields.indices.first(where: { isTarget(rid, $0) }) { return [i] }
        for (i, f) in fields.enumerated() where f.name == nil {
            if case .record(let sub) = f.type.canonical, let p = fieldPath(sub, to: isTarget) { return [i] + p }
        }
        return nil
    }

    private func unexposed(_ c: CXCursor, type: CType, loc: SourceLocation) throws -> Expr {
        let kids = exprChildren(c)
        func make(_ k: ExprKind) -> Expr { Expr(k, type: type, location: loc) }
        // The first word names the builtin: read only for the forms that may be one.
        lazy var first = leadingWord(c)
        if kids.count >= 2, first.hasPrefix("__atomic_") || first.hasPrefix("__c11_atomic_") {
            guard let written = atomicOperandsAsWritten(kids) else { throw error(c, "unsupported atomic builtin '\(first)'") }
            let args = try written.map(convertExpr)
            let fnType = CType.function(FunctionType(returnType: type, parameters: args.map(\.type), isVariadic: false))
            return make(.call(Expr(.declRef(.function(first)), type: fnType, location: loc), args))
        }
        if type.isInteger, first == "__builtin_offsetof" || first == "offsetof", let v = evaluateInteger(c) {
            // OffsetOfExpr is unexposed; its only expression children are array indices.
            return make(.intLiteral(v.value))
        }
        if kids.count == 3, first == "__builtin_choose_expr" {
            // ChooseExpr: the condition is an integer constant expression.
            guard let cond = evaluateInteger(kids[0]) else { throw error(c, "__builtin_choose_expr needs a constant condition") }
            return try convertExpr(cond.value != 0 ? kids[1] : kids[2])
        }
        if kids.count == 1 {
            let inner = try convertExpr(kids[0])
            if inner.type.canonical == type.canonical { return inner }
            // libclang types a read of an array parameter as written (`b[4]`); the value
            // is the adjusted pointer.
            if case .array = type.canonical, inner.type.isPointer { return inner }
            if case .function = inner.type.canonical, case .pointer = type.canonical {
                return make(.cast(inner, implicit: true))
            }
            if case .initList = inner.kind { return inner }
            return make(.cast(inner, implicit: true))
        }
        if kids.isEmpty {
            if let v = evaluateInteger(c), type.isInteger { return make(.intLiteral(v.value)) }
            if first == "__func__" || first == "__FUNCTION__" {
                return make(.stringLiteral(Array(currentFunction.utf8) + [0]))
            }
            // ImplicitValueInitExpr and friends: zero.
            if type.isInteger || type.isPointer { return make(.intLiteral(0)) }
            throw error(c, "unsupported expression")
        }
        // GNU `a ?: b` (BinaryConditionalOperator): children are a, then opaque values
        // standing for it (spanning what they stand for), then b. (Known by that shape, not
        // by a `?` among its tokens: those are none when a header's macro writes it.)
        if kids.count >= 3 && clang_equalRanges(clang_getCursorExtent(kids[0]), clang_getCursorExtent(kids[1])) != 0 {
            let a = try convertExpr(kids[0]), b = try convertExpr(kids[kids.count - 1])
            return make(.conditional(a, a, b))
        }
        if let v = evaluateInteger(c), type.isInteger { return make(.intLiteral(v.value)) }
        throw error(c, "unsupported expression")
    }

    /// Bytes of a string literal (escapes decoded, adjacent literals joined), padded to its array type.
    func stringBytes(_ c: CXCursor, type: CType) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let toks = tokens(tu, c)
        let allLiterals = !toks.isEmpty && toks.allSatisfy { $0.kind == CXToken_Literal && $0.text.contains("\"") }
        var literals = allLiterals ? toks.map(\.text) : []
        if toks.count == 1, ["__func__", "__FUNCTION__", "__PRETTY_FUNCTION__"].contains(toks[0].text) {
            bytes = Array(currentFunction.utf8)
        } else if !allLiterals {
            // Inside a macro expansion the extent is the macro use: ask clang for the value,
            // else for the literal as the preprocessor made it (`__FILE__`, which clang
            // does not evaluate, is spelled `"path/file.c"`).
            var evaluated = false
            if let r = clang_Cursor_Evaluate(c) {
                defer { clang_EvalResult_dispose(r) }
                if let p = clang_EvalResult_getAsStr(r) { bytes = Array(String(cString: p).utf8); evaluated = true }
            }
            if !evaluated, case let text = spelling(c), text.hasSuffix("\""), text.contains("\"") { literals = [text] }
        }
        for t in literals {
            var s = Array(t.utf8)
            // Drop an encoding prefix and the quotes.
            while let f = s.first, f != UInt8(ascii: "\"") { s.removeFirst() }
            guard s.count >= 2 else { continue }
            s = Array(s[1..<(s.count - 1)])
            var i = 0
            while i < s.count {
                if s[i] != UInt8(ascii: "\\") { bytes.append(s[i]); i += 1; continue }
                i += 1
                guard i < s.count else { break }
                let ch = s[i]
                switch ch {
                case UInt8(ascii: "n"): bytes.append(10); i += 1
                case UInt8(ascii: "t"): bytes.append(9); i += 1
                case UInt8(ascii: "r"): bytes.append(13); i += 1
                case UInt8(ascii: "a"): bytes.append(7); i += 1
                case UInt8(ascii: "b"): bytes.append(8); i += 1
                case UInt8(ascii: "f"): bytes.append(12); i += 1
                case UInt8(ascii: "v"): bytes.append(11); i += 1
                case UInt8(ascii: "e"): bytes.append(27); i += 1
                case UInt8(ascii: "x"):
                    i += 1
                    var v = 0
                    while i < s.count, let d = hexDigit(s[i]) { v = v * 16 + d; i += 1 }
                    bytes.append(UInt8(truncatingIfNeeded: v))
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var v = 0, n = 0
                    while i < s.count, n < 3, s[i] >= UInt8(ascii: "0"), s[i] <= UInt8(ascii: "7") {
                        v = v * 8 + Int(s[i] - UInt8(ascii: "0")); i += 1; n += 1
                    }
                    bytes.append(UInt8(truncatingIfNeeded: v))
                default: bytes.append(ch); i += 1
                }
            }
        }
        bytes.append(0)
        if case .array(_, let n?) = type.canonical {
            if bytes.count < n { bytes += [UInt8](repeating: 0, count: n - bytes.count) }
            if bytes.count > n { bytes = Array(bytes.prefix(n)) }   // char s[3] = "abc": no NUL
        }
        return bytes
    }

    private func hexDigit(_ b: UInt8) -> Int? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(b - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(b - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}

extension BinaryOp {
    var isAssignment: Bool {
        switch self {
        case .assign, .mulAssign, .divAssign, .remAssign, .addAssign, .subAssign, .shlAssign, .shrAssign,
             .andAssign, .xorAssign, .orAssign: return true
        default: return false
        }
    }
}

extension Converter {
    /// The association of a `_Generic` whose written type is the controlling expression's
    /// type (or `default:` when none is), read from the source: libclang does not say
    /// which association was selected, and two functions of one type (`_Generic(ctx,
    /// struct bpf_perf_event_data *: f, struct pt_regs *: g)`) cannot be told apart by
    /// type. An association's type is the text between the comma before it and its
    /// colon, where it was written (in a macro's definition, when it came from one).
    func genericAssociationNamingControllingType(_ c: CXCursor) -> CXCursor? {
        let exprs = exprChildren(c)
        guard exprs.count >= 2 else { return nil }
        func squeezed(_ s: String) -> String { s.filter { !$0.isWhitespace } }
        let ctrlType = clang_getCursorType(exprs[0])
        let wanted: Set<String> = [squeezed(string(clang_getTypeSpelling(ctrlType))),
                                   squeezed(string(clang_getTypeSpelling(clang_getCanonicalType(ctrlType))))]
        func spelled(_ e: CXCursor) -> (file: CXFile, offset: UInt32)? {
            spellingPosition(clang_getRangeStart(clang_getCursorExtent(e)))
        }
        var fallback: CXCursor? = nil
        for k in 1..<exprs.count {
            guard let p0 = spelled(exprs[k - 1]), let p1 = spelled(exprs[k]), clang_File_isEqual(p0.file, p1.file) != 0 else { return nil }
            let range = clang_getRange(clang_getLocationForOffset(tu, p0.file, p0.offset), clang_getLocationForOffset(tu, p1.file, p1.offset))
            let words = tokens(tu, range).map(\.text).dropLast()      // up to the association's first token
            var depth = 0, comma: Int? = nil
            for (i, w) in words.enumerated() {
                switch w {
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth -= 1
                case "," where depth == 0: comma = i
                default: break
                }
            }
            guard let start = comma, let colon = words.lastIndex(of: ":"), colon > start else { return nil }
            let type = squeezed(words[(start + 1)..<colon].joined())
            if type == "default" { fallback = exprs[k] } else if wanted.contains(type) { return exprs[k] }
        }
        return fallback
    }
}
