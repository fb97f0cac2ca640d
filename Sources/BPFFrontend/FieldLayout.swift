import CClang

/// Field offsets of a record, in bits.
///
/// libclang's `clang_Cursor_getOffsetOfField` first checks the field's whole parent record
/// for incomplete types, recursing into every embedded record, on every call: asked for
/// each of task_struct's fields, it was most of a warm compile's conversion. So a record
/// whose layout is the plain C one is laid out here from its fields' sizes and
/// alignments (each field at the next multiple of its alignment; a union's all at 0), and
/// libclang is asked only for its bit-fields and the first field after them. The result
/// is used only when the record's size and alignment come out as libclang's and no field
/// is written with `aligned` or `packed`; otherwise, and for a field whose size or
/// alignment libclang does not give, every offset is libclang's. `#pragma pack`, a
/// `packed` record or an `aligned` one always change the record's alignment from the
/// largest of its fields', so they are caught by that check.
enum FieldLayout {
    /// What the layout and the converter ask libclang of a field, asked once.
    struct Field {
        let cursor: CXCursor
        let type: CXType
        let bitWidth: Int?                 // nil: not a bit-field
        let attributes: [CXCursorKind]     // written ones (`writtenAttributeKinds`)
        init(_ c: CXCursor) {
            cursor = c
            type = clang_getCursorType(c)
            bitWidth = clang_Cursor_isBitField(c) != 0 ? Int(clang_getFieldDeclBitWidth(c)) : nil
            attributes = writtenAttributeKinds(c)
        }
    }

    static func offsets(of fields: [Field], isUnion: Bool, recordSize: Int, recordAlignment: Int,
                        plainAllowed: Bool = true) -> [Int] {
        (plainAllowed ? plainOffsets(of: fields, isUnion: isUnion, recordSize: recordSize, recordAlignment: recordAlignment) : nil)
            ?? fields.map { max(0, offsetOfField($0.cursor)) }
    }

    /// The plain layout's offsets, nil when it does not apply or does not match libclang's
    /// size and alignment of the record.
    static func plainOffsets(of fields: [Field], isUnion: Bool, recordSize: Int, recordAlignment: Int) -> [Int]? {
        var offsets: [Int] = []
        offsets.reserveCapacity(fields.count)
        var endBits = 0, largest = 0, alignment = 1, afterBitField = false
        for field in fields {
            let f = field.cursor
            guard !field.attributes.contains(CXCursor_AlignedAttr), !field.attributes.contains(CXCursor_PackedAttr),
                  let (size, align) = sizeAndAlignment(field.type) else { return nil }
            if let width = field.bitWidth {
                let offset = offsetOfField(f)
                guard offset >= 0 else { return nil }
                offsets.append(offset)
                endBits = max(endBits, offset + width)
                afterBitField = true
                // An unnamed bit-field's type does not align the record.
                if !spelling(f).isEmpty { alignment = max(alignment, align) }
                continue
            }
            let offset = isUnion ? 0 : roundUp((endBits + 7) / 8, to: align) * 8
            // Where bit-fields end, layouts differ (`ms_struct` starts the next field after
            // the bit-fields' whole storage unit): the first field after them is checked.
            if afterBitField {
                guard offset == offsetOfField(f) else { return nil }
                afterBitField = false
            }
            offsets.append(offset)
            endBits = max(endBits, offset + size * 8)
            largest = max(largest, size)
            alignment = max(alignment, align)
        }
        let size = roundUp(max((endBits + 7) / 8, largest), to: alignment)
        return size == recordSize && alignment == recordAlignment ? offsets : nil
    }

    /// libclang's offset of a field, in bits (negative: none). The query lays out (and
    /// first checks) the field's record: timed as libclang's work, as the record's size is
    /// (`Converter.convertMembers`).
    private static func offsetOfField(_ f: CXCursor) -> Int {
        Int(Frontend.libclangCall { clang_Cursor_getOffsetOfField(f) })
    }

    /// Bytes and alignment of a field's type; a flexible array member counts as its
    /// element's alignment and no bytes.
    private static func sizeAndAlignment(_ t: CXType) -> (Int, Int)? {
        let canonical = clang_getCanonicalType(t)
        if canonical.kind == CXType_IncompleteArray {
            let align = Int(clang_Type_getAlignOf(clang_getArrayElementType(canonical)))
            return align > 0 ? (0, align) : nil
        }
        // An embedded record's size lays it out, timed as libclang's work (as above).
        let size = canonical.kind == CXType_Record ? Int(Frontend.libclangCall { clang_Type_getSizeOf(t) }) : Int(clang_Type_getSizeOf(t))
        let align = Int(clang_Type_getAlignOf(t))
        return size >= 0 && align > 0 ? (size, align) : nil
    }

    private static func roundUp(_ n: Int, to a: Int) -> Int { (n + a - 1) / a * a }
}
