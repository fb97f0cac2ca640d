import CClang

/// Resolves C initializers into the fully braced, designator-resolved form of
/// `Initializer` (C11 6.7.9: brace elision, designators, unions, strings).
extension Converter {
    func buildInitializer(_ type: CType, _ c: CXCursor) throws -> Initializer {
        var cur = c
        while cur.kind == CXCursor_UnexposedExpr || cur.kind == CXCursor_ParenExpr,
              let only = exprChildren(cur).first, exprChildren(cur).count == 1,
              only.kind == CXCursor_InitListExpr || cur.kind == CXCursor_ParenExpr {
            cur = only
        }
        if cur.kind == CXCursor_InitListExpr {
            let elems = children(cur).filter { isExpression($0) }
            if !isAggregate(type) {
                // Scalar in braces: { x } or {}.
                guard let first = elems.first else { return .list(type: type, []) }
                return try buildInitializer(type, first)
            }
            var i = 0
            return .list(type: type, try fill(type, elems, &i, braced: true))
        }
        return .expr(try convertExpr(cur))
    }

    func isAggregate(_ t: CType) -> Bool { t.isAggregate }

    private func isDesignated(_ c: CXCursor) -> Bool {
        guard c.kind == CXCursor_UnexposedExpr else { return false }
        let k = children(c)
        guard let first = k.first else { return false }
        if first.kind == CXCursor_MemberRef { return true }
        guard k.count >= 2 else { return false }
        // Its first character, where it is spelled (a header's macro may write it).
        if let (text, offset) = spelledStart(of: c) { return text.startsDesignator(at: offset) }
        let t = firstToken(tu, c)
        return t == "[" || t == "."
    }

    /// One designator: a member (by name) or an array index.
    private enum Designator { case member(String, CXCursor), index(Int), range(Int, Int) }

    private func designators(_ c: CXCursor) throws -> ([Designator], CXCursor) {
        let k = children(c)
        guard let value = k.last else { throw error(c, "malformed designated initializer") }
        // Which `[...]` groups are GNU ranges (`[lo ... hi]`): their two bounds are two children.
        // Read where they are spelled (a header's macro may write them: libclang has no
        // tokens for an extent that starts in the header and ends in the program).
        var bracketIsRange: [Bool] = []
        if let (text, offset) = spelledStart(of: c), let ranges = text.designatorRanges(at: offset) {
            bracketIsRange = ranges
        } else {
            var groups = DesignatorGroups()
            for t in tokens(tu, c) { if !groups.read(t.text) { break } }
            bracketIsRange = groups.ranges
        }
        var out: [Designator] = []
        var bracket = 0
        var pendingLow: Int? = nil
        for d in k.dropLast() {
            if d.kind == CXCursor_MemberRef { out.append(.member(spelling(d), clang_getCursorReferenced(d))); continue }
            guard let v = evaluateInteger(d) else { throw error(d, "array designator is not an integer constant") }
            let n = Int(truncatingIfNeeded: Int64(bitPattern: v.value))
            let isRange = bracket < bracketIsRange.count && bracketIsRange[bracket]
            if isRange, pendingLow == nil { pendingLow = n; continue }
            if let lo = pendingLow { out.append(.range(lo, n)); pendingLow = nil } else { out.append(.index(n)) }
            bracket += 1
        }
        return (out, value)
    }

    private func elementType(_ t: CType, _ idx: Int) -> CType? {
        switch t.canonical {
        case .array(let e, _): return e
        case .record(let id):
            let r = unit.records[id]
            return idx < r.fields.count ? r.fields[idx].type : nil
        default: return nil
        }
    }

    private func capacity(_ t: CType) -> Int {
        switch t.canonical {
        case .array(_, let n): return n ?? Int.max
        case .record(let id): return unit.records[id].fields.count
        default: return 1
        }
    }

    private func isUnion(_ t: CType) -> Bool {
        if case .record(let id) = t.canonical { return unit.records[id].isUnion }
        return false
    }

    /// Positional fields skip unnamed bitfields.
    private func nextPositional(_ t: CType, from idx: Int) -> Int {
        guard case .record(let id) = t.canonical else { return idx }
        var i = idx
        let fields = unit.records[id].fields
        while i < fields.count, fields[i].name == nil, fields[i].bitWidth != nil { i += 1 }
        return i
    }

    /// Fills the sub-objects of `type` from `elems[i...]`. When not `braced`, stops at
    /// the end of `type` (brace elision) or at a designator meant for an outer level.
    private func fill(_ type: CType, _ elems: [CXCursor], _ i: inout Int, braced: Bool) throws -> [(Int, Initializer)] {
        var items: [(Int, Initializer)] = []
        var pos = nextPositional(type, from: 0)
        let cap = capacity(type)
        while i < elems.count {
            let e = elems[i]
            if isDesignated(e) {
                if !braced { break }
                let (ds, value) = try designators(e)
                i += 1
                let path = try resolve(ds, in: type, at: e)
                guard let firstIdx = path.first else { continue }
                // A GNU range `[lo ... hi] = v` sets every element of the range.
                var last = firstIdx
                if case .range(let lo, let hi)? = ds.first, hi >= lo, hi - lo < 1 << 16 { last = hi }
                for k in firstIdx...max(firstIdx, last) {
                    merge(&items, k, try designatedValue(type, [k] + path.dropFirst(), value))
                }
                pos = nextPositional(type, from: max(firstIdx, last) + 1)
                if isUnion(type) { pos = cap }
                continue
            }
            if pos >= cap {
                if !braced { break }
                i += 1   // excess initializer (clang warned)
                continue
            }
            guard let sub = elementType(type, pos) else { break }
            let value: Initializer
            if e.kind == CXCursor_InitListExpr {
                value = try buildInitializer(sub, e)
                i += 1
            } else if isAggregate(sub) && !initializesWhole(sub, e) {
                value = .list(type: sub, try fill(sub, elems, &i, braced: false))
            } else {
                value = try buildInitializer(sub, e)
                i += 1
            }
            merge(&items, pos, value)
            pos = nextPositional(type, from: pos + 1)
            if isUnion(type) { pos = cap }
            if !braced && pos >= cap { break }
        }
        return items
    }

    /// Whether expression `e` initialises a whole aggregate of type `t` (a struct
    /// value of the same type, or a string literal for a char array).
    private func initializesWhole(_ t: CType, _ e: CXCursor) -> Bool {
        guard let et = try? exprType(e) else { return false }
        if et.canonical == t.canonical { return true }
        if case .array(let elem, _) = t.canonical, case .int(1, _, _) = elem.canonical {
            var k = e
            while k.kind == CXCursor_UnexposedExpr || k.kind == CXCursor_ParenExpr, let c = children(k).first { k = c }
            return k.kind == CXCursor_StringLiteral
        }
        return false
    }

    /// Field/element indices of a designator chain, expanding anonymous members.
    private func resolve(_ ds: [Designator], in type: CType, at c: CXCursor) throws -> [Int] {
        var out: [Int] = []
        var t = type
        for d in ds {
            switch d {
            case .index(let k), .range(let k, _):
                out.append(k)
                if case .array(let e, _) = t.canonical { t = e }
            case .member(let name, let field):
                guard case .record(let id) = t.canonical,
                      let path = fieldPath(id, cursor: field) ?? fieldPath(id, name: name) else {
                    throw error(c, "field designator '\(name)' does not refer to any field")
                }
                var rec = id
                for idx in path {
                    out.append(idx)
                    t = unit.records[rec].fields[idx].type
                    if case .record(let n) = t.canonical { rec = n }
                }
            }
        }
        return out
    }

    /// The initializer for path[0] of `type` that sets the sub-object at the rest of the path.
    private func designatedValue(_ type: CType, _ path: [Int], _ value: CXCursor) throws -> Initializer {
        guard let idx = path.first, let sub = elementType(type, idx) else { return .expr(try convertExpr(value)) }
        if path.count == 1 {
            if value.kind == CXCursor_InitListExpr || !isAggregate(sub) || initializesWhole(sub, value) {
                return try buildInitializer(sub, value)
            }
            var i = 0
            return .list(type: sub, try fill(sub, [value], &i, braced: false))
        }
        return .list(type: sub, [(path[1], try designatedValue(sub, Array(path.dropFirst()), value))])
    }

    /// Sets element `idx`, merging nested lists (`.a.x = 1, .a.y = 2`).
    private func merge(_ items: inout [(Int, Initializer)], _ idx: Int, _ v: Initializer) {
        if let k = items.firstIndex(where: { $0.0 == idx }) {
            if case .list(let t, let old) = items[k].1, case .list(_, let new) = v {
                var merged = old
                for (j, x) in new { merge(&merged, j, x) }
                items[k].1 = .list(type: t, merged)
            } else {
                items[k].1 = v
            }
        } else {
            items.append((idx, v))
        }
    }
}
