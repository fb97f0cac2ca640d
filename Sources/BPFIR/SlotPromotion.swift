/// Scalar replacement of stack locals: a slot whose address never escapes (no
/// `slotAddr` left once addresses are folded into accesses — typically a cursor or an
/// out-parameter of an inlined function, `struct hdr_cursor nh; parse(&nh, ...)`) and
/// that is only loaded and stored, each piece always at the same offset and width,
/// becomes one register per piece. Stores become copies, loads copies or extensions
/// of the piece's register; the slot is left unused (the frame layout drops it).
/// Like a scalar local, a piece has no value before its first store: a path that
/// reads it first reads an unspecified value, as in C (and as with clang, whose
/// promoted locals start `undef`), and the pieces stay single-definition webs that
/// copy propagation and value numbering see through. A read that no store reaches on
/// any path reads 0, so no register is read before it is written there.
public enum SlotPromotion {
    public static func run(_ f: Function) -> Function {
        var pieces: [Int: [Piece]] = [:]          // slot → its accessed ranges
        var excluded: Set<Int> = Set(f.slots.indices.filter { f.slots[$0].isVolatile })
        for b in f.blocks {
            for i in b.instructions {
                switch i.inst {
                case .load(_, .slot(let s), let o, let w, _), .store(.slot(let s), let o, _, let w):
                    guard !excluded.contains(s) else { continue }
                    let p = Piece(offset: o, width: w)
                    if pieces[s, default: []].contains(p) { continue }
                    if pieces[s, default: []].contains(where: { $0.overlaps(p) }) { excluded.insert(s); continue }
                    pieces[s, default: []].append(p)
                default:
                    // Its address taken, or accessed by an atomic: stays memory.
                    if let s = i.inst.slotReferenced { excluded.insert(s) }
                }
            }
        }
        for s in excluded { pieces[s] = nil }
        guard !pieces.isEmpty else { return f }

        var f = f
        var register: [Int: [Piece: VReg]] = [:]
        for (s, ps) in pieces.sorted(by: { $0.key < $1.key }) {
            for p in ps { register[s, default: [:]][p] = f.newVReg() }
        }
        let reached = storesReaching(f, register)
        for bi in f.blocks.indices {
            var stored = reached[bi]
            for ii in f.blocks[bi].instructions.indices {
                let inst = f.blocks[bi].instructions[ii].inst
                switch inst {
                case .load(let d, .slot(let s), let o, let w, let signed):
                    guard let v = register[s]?[Piece(offset: o, width: w)] else { continue }
                    // A read no store reaches (the first read-modify-write of an
                    // uninitialized bitfield unit) reads 0: never an unwritten register.
                    f.blocks[bi].instructions[ii].inst = StackForwarding.copy(stored.contains(v) ? .reg(v) : .imm(0), to: d,
                                                                              width: w, signed: signed)
                case .store(.slot(let s), let o, let value, let w):
                    guard let v = register[s]?[Piece(offset: o, width: w)] else { continue }
                    f.blocks[bi].instructions[ii].inst = .mov(dst: v, src: value, width: w == .w64 ? .w64 : .w32)
                    stored.insert(v)
                default: break
                }
            }
        }
        return f
    }

    /// For each block, the pieces (by register) some store reaches its entry with.
    static func storesReaching(_ f: Function, _ register: [Int: [Piece: VReg]]) -> [Set<VReg>] {
        var gen = [Set<VReg>](filled: [], count: f.blocks.count)
        for (bi, b) in f.blocks.enumerated() {
            for i in b.instructions {
                if case .store(.slot(let s), let o, _, let w) = i.inst, let v = register[s]?[Piece(offset: o, width: w)] { gen[bi].insert(v) }
            }
        }
        let preds = f.flowGraph.predecessors
        let order = f.reversePostOrder()
        var into = [Set<VReg>](filled: [], count: f.blocks.count)
        var changed = true
        while changed {
            changed = false
            for b in order {
                var s: Set<VReg> = []
                for p in preds[b] { s.formUnion(into[p].union(gen[p])) }
                if s != into[b] { into[b] = s; changed = true }
            }
        }
        return into
    }

    struct Piece: Hashable {
        var offset: Int
        var width: Width
        func overlaps(_ p: Piece) -> Bool { offset < p.offset + p.width.bytes && p.offset < offset + width.bytes }
    }
}
