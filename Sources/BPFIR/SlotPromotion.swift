/// Scalar replacement of stack locals: a slot whose address never escapes (no
/// `slotAddr` left once addresses are folded into accesses — typically a cursor or an
/// out-parameter of an inlined function, `struct hdr_cursor nh; parse(&nh, ...)`) and
/// that is only loaded and stored, each piece always at the same offset and width,
/// becomes one register per piece. Stores become copies, loads copies or extensions
/// of the piece's register; the slot is left unused (the frame layout drops it).
/// Every piece starts as 0 at function entry, so a path that reads before writing
/// reads a defined register (dead code elimination drops the start value elsewhere).
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
                case .slotAddr(_, let s, _), .atomic(_, .slot(let s), _, _, _, _), .cmpxchg(_, .slot(let s), _, _, _, _):
                    excluded.insert(s)
                default: break
                }
            }
        }
        for s in excluded { pieces[s] = nil }
        guard !pieces.isEmpty else { return f }

        var f = f
        var register: [Int: [Piece: VReg]] = [:]
        var entry: [Instruction] = []
        for (s, ps) in pieces.sorted(by: { $0.key < $1.key }) {
            for p in ps {
                let v = f.newVReg()
                register[s, default: [:]][p] = v
                entry.append(Instruction(.mov(dst: v, src: .imm(0), width: .w64), location: f.location))
            }
        }
        for bi in f.blocks.indices {
            for ii in f.blocks[bi].instructions.indices {
                let inst = f.blocks[bi].instructions[ii].inst
                switch inst {
                case .load(let d, .slot(let s), let o, let w, let signed):
                    guard let v = register[s]?[Piece(offset: o, width: w)] else { continue }
                    f.blocks[bi].instructions[ii].inst = read(v, into: d, width: w, signed: signed)
                case .store(.slot(let s), let o, let value, let w):
                    guard let v = register[s]?[Piece(offset: o, width: w)] else { continue }
                    f.blocks[bi].instructions[ii].inst = .mov(dst: v, src: value, width: w == .w64 ? .w64 : .w32)
                default: break
                }
            }
        }
        if let e = f.blocks.indices.first { f.blocks[e].instructions.insert(contentsOf: entry, at: 0) }
        return f
    }

    struct Piece: Hashable {
        var offset: Int
        var width: Width
        func overlaps(_ p: Piece) -> Bool { offset < p.offset + p.width.bytes && p.offset < offset + width.bytes }
    }

    /// What a load of `width` bytes gives from a register holding the stored value: the
    /// low `width` bytes, zero- or sign-extended as the load would.
    static func read(_ v: VReg, into d: VReg, width: Width, signed: Bool) -> Inst {
        switch (width, signed) {
        case (.w64, _): return .mov(dst: d, src: .reg(v), width: .w64)
        case (.w32, false): return .mov(dst: d, src: .reg(v), width: .w32)
        case (_, true): return .ext(dst: d, src: v, from: width, to: .w64, signed: true)
        default: return .ext(dst: d, src: v, from: width, to: .w32, signed: false)
        }
    }
}
