/// The textual form of the IR (one instruction a line), used by -emit-ir and in tests.
public enum IRPrinter {
    public static func print(_ m: Module) -> String {
        m.functions.map(print).joined(separator: "\n")
    }

    public static func print(_ f: Function) -> String {
        var s = "function \(f.name) section \"\(f.section)\" \(f.linkage)(\(f.parameters.map(\.description).joined(separator: ", "))) {\n"
        for (i, slot) in f.slots.enumerated() {
            s += "  $\(i) = slot \(slot.size) align \(slot.alignment)\(slot.isVolatile ? " volatile" : "")\(slot.paddedScalar.map { " padded \($0)" } ?? "") ; \(slot.name)\n"
        }
        for b in f.blocks {
            s += b.unlikely ? "\(b.id):   ; unlikely\n" : "\(b.id):\n"
            for i in b.instructions { s += "  " + print(i.inst) + (i.noSignedWrap && i.inst.isAddOrSub ? " nsw" : "") + "\n" }
            s += "  " + print(b.terminator) + "\n"
        }
        return s + "}\n"
    }

    public static func print(_ i: Inst) -> String {
        switch i {
        case .mov(let d, let s, let w): return "\(d) = mov.\(w) \(s)"
        case .binary(let op, let d, let l, let r, let w): return "\(d) = \(op.rawValue).\(w) \(l), \(r)"
        case .neg(let d, let s, let w): return "\(d) = neg.\(w) \(s)"
        case .ext(let d, let s, let f, let t, let signed): return "\(d) = \(signed ? "sext" : "zext").\(f).\(t) \(s)"
        case .bswap(let d, let s, let w): return "\(d) = bswap.\(w) \(s)"
        case .load(let d, let b, let o, let w, let signed): return "\(d) = load\(signed ? "s" : "").\(w) [\(b) + \(o)]"
        case .store(let b, let o, let v, let w): return "store.\(w) [\(b) + \(o)], \(v)"
        case .slotAddr(let d, let s, let o): return "\(d) = addr $\(s) + \(o)"
        case .symbolAddr(let d, let s): return "\(d) = symbol \(s.name) + \(s.offset)"
        case .loadImm64(let d, let v): return "\(d) = imm64 \(v)"
        case .call(let d, let c, let args):
            let callee: String
            switch c {
            case .helper(let n): callee = "helper \(n)"
            case .function(let n): callee = "func \(n)"
            case .kfunc(let n): callee = "kfunc \(n)"
            case .packetLoad(let w): callee = "packet_load.\(w)"
            case .memoryBuiltin(let m): callee = "\(m.name).align\(m.alignment)"
            }
            return (d.map { "\($0) = " } ?? "") + "call \(callee)(\(args.map(\.description).joined(separator: ", ")))"
        case .atomic(let op, let b, let o, let v, let w, let f):
            return (f.map { "\($0) = " } ?? "") + "atomic.\(op.rawValue).\(w) [\(b) + \(o)], \(v)"
        case .cmpxchg(let d, let b, let o, let e, let n, let w): return "\(d) = cmpxchg.\(w) [\(b) + \(o)], \(e), \(n)"
        case .coreValue(let d, let v, let r): return "\(d) = core \(v) ; \(r.typeName) \(r.accessString) kind \(r.kind)"
        case .coreLoad(let d, let b, let o, let w, let r):
            return "\(d) = coreload.\(w) [\(b) + \(o)] ; \(r.typeName) \(r.accessString) kind \(r.kind)"
        case .coreStore(let b, let o, let v, let w, let r):
            return "corestore.\(w) [\(b) + \(o)], \(v) ; \(r.typeName) \(r.accessString) kind \(r.kind)"
        case .inlineAsm(let t, let ins, let outs): return "asm \"\(t.text)\" in(\(ins)) out(\(outs))"
        }
    }

    public static func print(_ t: Terminator) -> String {
        switch t {
        case .jump(let b): return "jump \(b)"
        case .branch(let cc, let l, let r, let w, let t, let e): return "branch.\(w) \(cc.rawValue) \(l), \(r) ? \(t) : \(e)"
        case .ret(let v): return "ret" + (v.map { " \($0)" } ?? "")
        case .unreachable: return "unreachable"
        }
    }
}
