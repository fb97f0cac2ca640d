import BPFIR

/// After register allocation: a block that only returns a value, entered only from one
/// conditional branch, goes; its value is put in r0 above the branch — when the compare
/// reads no value kept in r0 and the branch's other successor reads none on entry — and
/// the branch goes to one shared `exit`. The function's last other return (its usual
/// way out, `return XDP_PASS;`) puts its value in r0 and falls into that `exit`.
/// `if (pos + 1 > end) return XDP_DROP;` becomes `r0 = 1; if r3 > r2 goto <exit>`: an
/// instruction fewer for every such return. This is the code clang gets by placing the
/// copies into its one return block's value in the predecessors, above their branch
/// where r0 is free. In a subprogram it also matters to the verifier: it walks the
/// caller's code after the call once per `exit` it returned through, and a single exit
/// lets the states meet first (an int function with `return -1; return -2; ... return 7;`:
/// its caller walked 256 instructions, 115 with one exit; clang's build 112).
///
/// Not in a function with inline assembly that has text: the text may read r0 by name,
/// which liveness does not see.
enum ReturnHoisting {
    static func run(_ f: Function, assignment: [VReg: UInt8]) -> (function: Function, assignment: [VReg: UInt8]) {
        let hasAsmText = f.blocks.contains { b in
            b.instructions.contains { if case .inlineAsm(let t, _, _) = $0.inst { return !t.text.isEmpty }; return false }
        }
        if hasAsmText { return (f, assignment) }
        func inR0(_ v: VReg) -> Bool { assignment[v] == 0 }
        /// The value a block that does nothing but return returns, unless already in r0, and
        /// the width of the copy that puts it there: also `v = K; return v` (`return -1;` in a
        /// function returning int, whose constant is a 32-bit move).
        func returnedValue(_ b: Block) -> (Operand, Width)? {
            guard case .ret(let value?) = b.terminator else { return nil }
            if b.instructions.count == 1, case .mov(let d, .imm(let k), let w) = b.instructions[0].inst,
               value == .reg(d), w == .w32 || Legalizer.fitsImm32(k) {
                return (.imm(k), w)
            }
            guard b.instructions.isEmpty else { return nil }
            switch value {
            case .reg(let v): return inR0(v) ? nil : (value, .w64)
            case .imm(let k):
                // A 32-bit move zero-extends: `return -1;` from an int function (0xffffffff).
                if Legalizer.fitsImm32(k) { return (value, .w64) }
                return UInt64(bitPattern: k) <= UInt64(UInt32.max) ? (value, .w32) : nil
            }
        }
        let index = f.blockIndexByID
        let predecessors = f.flowGraph.predecessors
        let exit = f.unusedBlockID
        let r0 = VReg(f.nextVReg)
        var live: Liveness? = nil
        var g = f
        var removed = Set<Int>()
        for (b, block) in f.blocks.enumerated() {
            guard case .branch(let cc, let lhs, let rhs, let w, let thenB, let elseB) = block.terminator, thenB != elseB,
                  !inR0(lhs) else { continue }
            if case .reg(let r) = rhs, inR0(r) { continue }
            for (target, other) in [(thenB, elseB), (elseB, thenB)] {
                guard let t = index[target], let o = index[other], predecessors[t] == [b], !removed.contains(o),
                      let (value, width) = returnedValue(f.blocks[t]) else { continue }
                if live == nil { live = Liveness(f) }
                if live!.liveIn[o].contains(where: inR0) { continue }
                g.blocks[b].instructions.append(Instruction(.mov(dst: r0, src: value, width: width),
                                                            location: f.blocks[t].terminatorLocation))
                g.blocks[b].terminator = target == thenB
                    ? .branch(cc, lhs: lhs, rhs: rhs, width: w, then: exit, else: elseB)
                    : .branch(cc, lhs: lhs, rhs: rhs, width: w, then: thenB, else: exit)
                removed.insert(t)
                break
            }
        }
        if removed.isEmpty { return (f, assignment) }
        var assignment = assignment
        assignment[r0] = 0
        g.nextVReg += 1
        var exitBlock = Block(id: exit, terminator: .ret(.reg(r0)))
        // The last return left (in block order) puts its value in r0, unless it is there
        // already (a helper's result), and falls into the exit.
        var last: Int? = nil
        for (i, b) in g.blocks.enumerated() where !removed.contains(i) {
            if case .ret(.imm(let k)?) = b.terminator, !Legalizer.fitsImm32(k) { continue }
            if case .ret(_?) = b.terminator { last = i }
        }
        if let i = last, case .ret(let value?) = g.blocks[i].terminator {
            exitBlock.terminatorLocation = g.blocks[i].terminatorLocation
            if case .reg(let v) = value, inR0(v) {
                // Already in r0 (the exit reads r0 on every path in, whichever value).
            } else {
                g.blocks[i].instructions.append(Instruction(.mov(dst: r0, src: value, width: .w64), location: g.blocks[i].terminatorLocation))
            }
            g.blocks[i].terminator = .jump(exit)
        }
        var blocks: [Block] = []
        for (i, b) in g.blocks.enumerated() where !removed.contains(i) {
            blocks.append(b)
            if i == last { blocks.append(exitBlock) }
        }
        if last == nil { blocks.append(exitBlock) }
        g.blocks = blocks
        return (g, assignment)
    }
}
