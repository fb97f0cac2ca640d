/// Value numbering of whole truth values: a region of blocks that computes the same
/// thing as one before it (`(x >= 13)` as a branch between `d = 1` and `d = 0`, in each
/// round of an unrolled loop) becomes copies of what the earlier one computed, as GVN
/// shares clang's compare values. The verifier then walks the branch once, not once per
/// copy with the paths of the earlier one multiplied by it.
///
/// A region: the branch ending a block E and the blocks it leads to (all their other
/// predecessors inside; of E's own instructions only the last ones setting registers
/// the region's arms also set to constants: `x = 0; if (c) x = -1`),
/// holding arithmetic and copies only, left to one block J. Two regions are the same when
/// they are equal up to the names of the registers they define, read the same registers
/// otherwise, each written once in the function or on no path from the earlier region to
/// the later (so holding one value in both), and the earlier one's entry dominates the
/// later one's. What the earlier one
/// defines is defined nowhere else; those of its registers whose counterparts the code
/// after the later one reads are written on every path through it (only those are
/// copied); what the later one defines holds no value into it.
public enum RegionNumbering {
    static let maxBlocks = 16, maxInstructions = 32

    /// A region's shape with its own registers and blocks numbered in walk order.
    struct Key: Hashable {
        var instructions: [[Inst]]
        var terminators: [Terminator]
    }

    struct Region {
        var entry: Int
        var blocks: [Int]       // walk order, entry first
        var exit: Int
        var defined: [VReg]     // in order of first definition
        var rewritten: Set<VReg> // read, and written more than once in the function
        var entryTail: Int       // E's last instructions that are the region's
    }

    /// Repeated while it shares (at most `maxRounds` times): a region sharing an earlier
    /// one leaves copies of its values, and the regions reading those copies (the next
    /// comparison of each round) are then the same as the earlier ones reading the values.
    public static func run(_ f: Function) -> Function {
        var f = f
        for _ in 0..<maxRounds {
            guard let shared = once(f) else { break }
            f = shared
        }
        return f
    }

    static let maxRounds = 8

    /// `f` with the regions the same as earlier ones shared, nil when there is none.
    static func once(_ f: Function) -> Function? {
        guard f.blocks.count > 2 else { return nil }
        let (succs, preds) = f.flowGraph
        let (_, defs) = f.useDefCounts()
        // Every region first: most functions hold no two of one shape, and then need
        // neither dominators nor liveness.
        let copies = copiesOfRewrittenRegisters(f, defs: defs)
        let candidates = f.reversePostOrder().compactMap { e -> (Region, Key)? in
            guard case .branch = f.blocks[e].terminator else { return nil }
            return region(from: e, f: f, defs: defs, copies: copies, succs: succs, preds: preds)
        }
        var shapes = Set<Key>()
        guard candidates.contains(where: { !shapes.insert($0.1).inserted }) else { return nil }
        var f = f
        let dominators = Dominators(f, predecessors: preds), liveness = Liveness(f)
        // Earlier regions by shape, with the positions (in `defined`) of the registers
        // each writes on every path through it.
        var seen: [Key: [(region: Region, everyPath: Set<Int>)]] = [:]
        var replaced: [(region: Region, earlier: Region, copied: [Int])] = []
        var taken = Set<Int>()
        for (region, key) in candidates {
            let e = region.entry
            guard !taken.contains(e) else { continue }
            let live = liveness.liveIn[e]
            guard !region.defined.contains(where: { live.contains($0) }) else { continue }
            // What the later region leaves to the code after it is all that needs copying
            // (a sign extension only its branch read need not be written on every path of
            // the earlier one: `c ? (x == 0) : 0`).
            let needed = region.defined.indices.filter { liveness.liveIn[region.exit].contains(region.defined[$0]) }
            if let earlier = seen[key]?.first(where: { $0.everyPath.isSuperset(of: needed) && dominators.dominates($0.region.entry, e)
                                                         && !$0.region.blocks.contains(e)
                                                         && !callBetween($0.region.exit, e, f: f, succs: succs, preds: preds)
                                                         && !writeBetween($0.region.exit, e, of: region.rewritten, f: f, succs: succs, preds: preds) }) {
                replaced.append((region, earlier.region, needed))
                taken.formUnion(region.blocks)
            } else {
                let written = writtenOnEveryPath(region, f: f, succs: succs)
                seen[key, default: []].append((region, Set(region.defined.indices.filter { written.contains(region.defined[$0]) })))
            }
        }
        guard !replaced.isEmpty else { return nil }
        for (region, earlier, copied) in replaced {
            let e = region.entry
            // (The entry's last instructions that are the region's, a triangle's default
            // `x = 0`, go with it: left, they wrote the copies' registers twice, and copy
            // propagation takes only registers written once.)
            f.blocks[e].instructions.removeLast(region.entryTail)
            f.blocks[e].instructions += copied.map { Instruction(.mov(dst: region.defined[$0], src: .reg(earlier.defined[$0]), width: .w64)) }
            f.blocks[e].terminator = .jump(f.blocks[region.exit].id)
        }
        return CFGSimplify.run(f)
    }

    /// Whether a call (or inline assembly) may run between leaving block `from` and
    /// reaching the end of block `to`: the earlier region's values would be carried
    /// across it, in registers calls preserve or on the stack, where the verifier keeps
    /// each path's 0 or 1 apart (128-bit arithmetic's carry, shared across map updates:
    /// 10,032 verified instructions became 24,435).
    static func callBetween(_ from: Int, _ to: Int, f: Function, succs: [[Int]], preds: [[Int]]) -> Bool {
        f.calls(in: blocks(between: from, to, succs: succs, preds: preds))
    }

    /// Whether a block on a path from leaving block `from` to the end of block `to`
    /// writes one of `registers` (read by both regions, written more than once in the
    /// function: the same value in both only when nothing between writes it).
    static func writeBetween(_ from: Int, _ to: Int, of registers: Set<VReg>, f: Function, succs: [[Int]], preds: [[Int]]) -> Bool {
        guard !registers.isEmpty else { return false }
        return writes(registers, in: blocks(between: from, to, succs: succs, preds: preds), f: f)
    }

    /// Whether one of `blocks` writes one of `registers`.
    static func writes(_ registers: Set<VReg>, in blocks: Set<Int>, f: Function) -> Bool {
        blocks.contains { b in f.blocks[b].instructions.contains { $0.inst.definedRegs.contains(where: registers.contains) } }
    }

    /// The blocks on paths from block `from` to block `to`, both included.
    static func blocks(between from: Int, _ to: Int, succs: [[Int]], preds: [[Int]]) -> Set<Int> {
        var forward: Set<Int> = [from], work = [from]
        while let b = work.popLast() { for s in succs[b] where forward.insert(s).inserted { work.append(s) } }
        guard forward.contains(to) else { return [] }
        var between: Set<Int> = [to]
        work = [to]
        while let b = work.popLast() {
            guard b != from else { continue }
            for p in preds[b] where forward.contains(p) && between.insert(p).inserted { work.append(p) }
        }
        return between
    }

    /// Registers written once, by a copy of a register written more than once, with the
    /// copied register and the copy's block (an earlier region's value, copied where a
    /// later one was shared: `c2 = c1`, the next round's `x != c2` the same as `x != c1`).
    static func copiesOfRewrittenRegisters(_ f: Function, defs: RegCounts) -> [VReg: (source: VReg, block: Int)] {
        var copies: [VReg: (source: VReg, block: Int)] = [:]
        for (b, block) in f.blocks.enumerated() {
            for i in block.instructions {
                if case .mov(let d, .reg(let s), .w64) = i.inst, defs[d] == 1, defs[s] > 1, !f.parameters.contains(s) {
                    copies[d] = (s, b)
                }
            }
        }
        return copies
    }

    /// The region entered at `e` and its shape, when it reads only registers written
    /// once and defines registers written in it alone. A read of a copy (`copies`) of a
    /// register no block on the way from the copy to `e` writes is a read of that register.
    static func region(from e: Int, f: Function, defs: RegCounts, copies: [VReg: (source: VReg, block: Int)],
                       succs: [[Int]], preds: [[Int]]) -> (Region, Key)? {
        // Grown one block at a time until everything it leads to meets in one block:
        // the smallest region (a diamond, not the code after its join).
        var inRegion: Set<Int> = [e], order = [e]
        var count = 0
        func frontier() -> [Int] {
            var out: [Int] = []
            for b in order { for s in succs[b] where !inRegion.contains(s) && !out.contains(s) { out.append(s) } }
            return out
        }
        var next = frontier()
        while order.count == 1 || next.count != 1 {
            guard let s = next.first(where: { s in s != e && preds[s].allSatisfy({ inRegion.contains($0) })
                                                && f.blocks[s].instructions.allSatisfy({ $0.inst.isArithmeticOrCopy }) }) else { return nil }
            count += f.blocks[s].instructions.count
            guard order.count < maxBlocks, count <= maxInstructions else { return nil }
            inRegion.insert(s)
            order.append(s)
            next = frontier()
        }
        guard let exit = next.first, !order.contains(where: { succs[$0].contains(e) }) else { return nil }
        // Number the region's registers and blocks.
        var local: [VReg: VReg] = [:], defined: [VReg] = [], counts: [VReg: Int] = [:]
        // E's last instructions setting registers the region's blocks set to constants
        // are its too (`x = 0; if (c) x = -1`, the default before the branch).
        var armDefs = Set<VReg>()
        for b in order.dropFirst() { for i in f.blocks[b].instructions { i.inst.forEachDef { armDefs.insert($0) } } }
        let tail = f.blocks[e].instructions.reversed().prefix { i in
            if case .mov(let d, .imm, _) = i.inst { return armDefs.contains(d) }
            return false
        }.count
        let entryTail = f.blocks[e].instructions.suffix(tail)
        for i in entryTail + order.dropFirst().flatMap({ f.blocks[$0].instructions }) {
            i.inst.forEachDef { d in
                counts[d, default: 0] += 1
                if local[d] == nil { local[d] = VReg(-1 - defined.count); defined.append(d) }
            }
        }
        guard counts.allSatisfy({ defs[$0.key] == $0.value }) else { return nil }
        var rewritten = Set<VReg>()
        func name(_ v: VReg) -> VReg {
            if let l = local[v] { return l }
            if let c = copies[v], case let between = blocks(between: c.block, e, succs: succs, preds: preds), !between.isEmpty,
               !writes([c.source], in: between, f: f) {
                rewritten.insert(c.source)
                return c.source
            }
            if defs[v] != 1 && !f.parameters.contains(v) { rewritten.insert(v) }
            return v
        }
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { (f.blocks[$0.element].id, BlockID($0.offset)) })
        var key = Key(instructions: [], terminators: [])
        for b in order {
            key.instructions.append((b == e ? Array(entryTail) : f.blocks[b].instructions).map { $0.inst.renaming(name) })
            var t = f.blocks[b].terminator.mappingTargets { position[$0] ?? BlockID(-1) }
            if case .branch(let cc, let l, let r, let w, let a, let c) = t {
                let rr: Operand
                if case .reg(let x) = r { rr = .reg(name(x)) } else { rr = r }
                t = .branch(cc, lhs: name(l), rhs: rr, width: w, then: a, else: c)
            }
            key.terminators.append(t)
        }
        return (Region(entry: e, blocks: order, exit: exit, defined: defined, rewritten: rewritten, entryTail: tail), key)
    }

    /// The registers every path from the region's entry to its exit writes.
    static func writtenOnEveryPath(_ r: Region, f: Function, succs: [[Int]]) -> Set<VReg> {
        // Blocks in walk order: each block's predecessors in the region come before it.
        var written: [Int: Set<VReg>] = [:]
        var atExit: Set<VReg>? = nil
        for b in r.blocks {
            var w = written[b] ?? []
            for i in b == r.entry ? f.blocks[b].instructions.suffix(r.entryTail) : f.blocks[b].instructions[...] { i.inst.forEachDef { w.insert($0) } }
            for s in succs[b] {
                if s == r.exit { atExit = atExit.map { $0.intersection(w) } ?? w }
                else { written[s] = written[s].map { $0.intersection(w) } ?? w }
            }
        }
        return atExit ?? []
    }
}
