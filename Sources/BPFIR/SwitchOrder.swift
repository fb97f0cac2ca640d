/// Orders a switch's compare chain so that the verifier walks the case that moves a
/// pointer by the widest variable amount first.
///
/// The verifier walks a conditional jump's fall-through first and the jumps it left
/// afterwards, the last one first: of a chain `x == k1 ? A : x == k2 ? B : ... default`,
/// the last case's code is walked first after the default's. Where the cases meet again
/// (a header walk's next iteration), a later path is pruned only against a state at least
/// as wide: a case adding a constant to the header pointer is within one adding
/// `len * 8` (`PointerOffsets` puts the constant parts in the pointer's fixed offset),
/// but not the other way round. Walked narrowest first, every case's state is kept and
/// each iteration multiplies the paths (an IPv6 extension-header loop: 3,976 processed
/// instructions; widest first, 1,018; clang-22's build, 1,360).
///
/// A case's width is the largest bound (`ValueBounds`) of a register its block adds to a
/// pointer: a register that some load or store goes through (not a stack address). The keys of a chain are distinct, so their
/// order is free; cases of equal width keep theirs, and a chain none of whose cases
/// moves a pointer is left as it is.
public enum SwitchOrder {
    public static func run(_ f: Function) -> Function {
        // A chain needs two equality tests against constants.
        var tests = 0
        for b in f.blocks { if case .branch(.eq, _, .imm, _, _, _) = b.terminator { tests += 1 } }
        guard tests >= 2 else { return f }
        let preds = f.flowGraph.predecessors
        let index = f.blockIndexByID
        lazy var bounds = ValueBounds(of: f)
        // Pointers: registers that are the base of a memory access, but for stack addresses
        // (a variable offset into a slot is another matter for the verifier). Found once a
        // chain is.
        lazy var pointers: Set<VReg> = {
            var bases: Set<VReg> = [], slotAddresses: Set<VReg> = []
            f.forEachInstruction { _, inst in
                switch inst {
                case .load(_, .reg(let r), _, _, _), .store(.reg(let r), _, _, _), .coreLoad(_, let r, _, _, _),
                     .coreStore(let r, _, _, _, _), .atomic(_, .reg(let r), _, _, _, _), .cmpxchg(_, .reg(let r), _, _, _, _):
                    bases.insert(r)
                case .slotAddr(let d, _, _):
                    slotAddresses.insert(d)
                default: break
                }
            }
            return bases.subtracting(slotAddresses)
        }()
        var g = f
        var consumed: Set<Int> = []
        for h in f.blocks.indices where !consumed.contains(h) {
            let links = f.equalityChain(from: h, preds, index)
            consumed.formUnion(links)
            guard links.count >= 2, !pointers.isEmpty else { continue }
            // (key, case target) of each link, in chain order.
            var tests: [(key: Int64, target: BlockID)] = links.compactMap {
                guard case .branch(_, _, .imm(let k), _, let t, _) = f.blocks[$0].terminator else { return nil }
                return (k, t)
            }
            guard Set(tests.map(\.key)).count == tests.count else { continue }
            var widths: [BlockID: UInt64] = [:]
            for t in tests where widths[t.target] == nil {
                widths[t.target] = index[t.target].map { width(of: f.blocks[$0], pointers: pointers, &bounds) } ?? 0
            }
            guard widths.values.contains(where: { $0 > 0 }) else { continue }
            // Narrowest tested first, walked last (a stable sort: equal widths keep their order).
            let sorted = tests.enumerated().sorted { a, b in
                let (wa, wb) = (widths[a.element.target]!, widths[b.element.target]!)
                return wa != wb ? wa < wb : a.offset < b.offset
            }.map(\.element)
            guard sorted.map(\.key) != tests.map(\.key) else { continue }
            tests = sorted
            for (link, test) in zip(links, tests) {
                guard case .branch(let cc, let x, _, let w, _, let e) = g.blocks[link].terminator else { continue }
                g.blocks[link].terminator = .branch(cc, lhs: x, rhs: .imm(test.key), width: w, then: test.target, else: e)
            }
        }
        return g
    }

    /// The widest bounded amount the block adds to a pointer (a register some access
    /// reads memory through); 0 when it adds none.
    static func width(of block: Block, pointers: Set<VReg>, _ bounds: inout ValueBounds) -> UInt64 {
        var widest: UInt64 = 0
        for i in block.instructions {
            guard case .binary(.add, _, let l, .reg(let r), .w64) = i.inst else { continue }
            if pointers.contains(l), !pointers.contains(r), let b = bounds.upperBound(r) { widest = max(widest, b) }
            if pointers.contains(r), !pointers.contains(l), let b = bounds.upperBound(l) { widest = max(widest, b) }
        }
        return widest
    }
}
