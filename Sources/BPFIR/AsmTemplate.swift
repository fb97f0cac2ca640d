/// The text of an inline assembly statement with its operands bound: each operand
/// reference is a register of the `inlineAsm` instruction (an input or an output,
/// by index) or a constant. Codegen substitutes the allocated registers and
/// assembles the result.
public struct AsmTemplate: Hashable, Sendable {
    public enum Operand: Hashable, Sendable {
        /// inputs[i] of the instruction; `subregister` prints it as wN (constraint "w").
        case input(Int, subregister: Bool)
        /// outputs[i] of the instruction.
        case output(Int, subregister: Bool)
        case imm(Int64)
        /// `asm goto`'s label N (`%lN`): where the text may jump, besides falling through.
        case label(Int)
    }

    /// The statement's parts, numbered in a process-wide table (an instruction holding a
    /// template stays free of reference-counted values; see InternedValues.swift).
    private let id: Int32

    private struct Parts: Hashable, Sendable {
        var text: String
        var operands: [Operand]
        var ties: [Tie]
        var clobbers: UInt16
        var role: Role
        var labels: Int
        var constantInputs: [Int]
    }

    private static let table = InternTable<Parts>()

    private var parts: Parts { Self.table.value(id) }

    /// LLVM's inline-asm string (what libclang returns): `$N` and `${N:mod}` name operand
    /// N, `$$` is a dollar sign, `$(a$|b$)` lists dialect alternatives (the first is
    /// ours), `$|` and `$)` outside them are `|` and `}`, `${:uid}` a number unique to
    /// the statement.
    public var text: String { parts.text }
    /// Operand N of the statement (outputs first, then inputs, as C numbers them).
    public var operands: [Operand] { parts.operands }
    /// Inputs tied to outputs ("+r", or a matching constraint "0"): the asm finds
    /// inputs[input] in the register of outputs[output].
    public var ties: [Tie] { parts.ties }
    /// Physical registers (bit N: rN) the statement may change besides its outputs:
    /// the clobber list, registers the text names, r0–r5 when the text calls. No value
    /// that lives through the statement, and no operand, may be in one of them.
    public var clobbers: UInt16 { parts.clobbers }
    /// How many labels `asm goto` names (0 for other statements). The instruction's last
    /// output is then the statement's selector, which no operand names: 0 where the text
    /// falls through its end, N + 1 where it jumps to label N (lowering branches on it to
    /// the labels' blocks; codegen makes the text's jump the branch where it can).
    public var labels: Int { parts.labels }
    /// Inputs whose constraint also takes a constant ("ri", "g"): where the optimizer finds
    /// the input's register holding one, the text may name the constant instead, as
    /// clang's backend picks an immediate for a value its optimizer made constant
    /// (bpf_experimental.h's `bpf_cmp_unlikely(x, >=, 1000)` passes 1000 through a local).
    public var constantInputs: [Int] { parts.constantInputs }

    public struct Tie: Hashable, Sendable {
        public var input: Int
        public var output: Int
        public init(input: Int, output: Int) { self.input = input; self.output = output }
    }

    /// What the statement is for: the program's own assembly, or one of the empty
    /// statements lowering puts around a volatile load.
    public var role: Role { parts.role }

    public enum Role: Hashable, Sendable {
        case statement
        /// Before a volatile load, its address as the input: the load is done again here
        /// (what is known of the memory that address reaches is forgotten).
        case volatileLoadStart
        /// After a volatile access through a pointer, the loaded value or the store's
        /// address as the input: it writes nothing, and keeps the access (a load even
        /// unused, a store even overwritten; see `OverwrittenStores`).
        case volatileAccessEnd
    }

    public init(text: String, operands: [Operand] = [], ties: [Tie] = [], clobbers: UInt16 = 0, role: Role = .statement,
                labels: Int = 0, constantInputs: [Int] = []) {
        id = Self.table.number(Parts(text: text, operands: operands, ties: ties, clobbers: clobbers, role: role, labels: labels,
                                     constantInputs: constantInputs))
    }

    /// The statement with input `i` (one of `constantInputs`, read as a 64-bit register)
    /// spelled as the constant `k` instead: the inputs after it move down by one.
    public func replacingInput(_ i: Int, with k: Int64) -> AsmTemplate? {
        let p = parts
        guard p.constantInputs.contains(i), !p.ties.contains(where: { $0.input == i }) else { return nil }
        var operands: [Operand] = []
        for op in p.operands {
            switch op {
            case .input(i, subregister: true): return nil
            case .input(i, subregister: false): operands.append(.imm(k))
            case .input(let j, let sub) where j > i: operands.append(.input(j - 1, subregister: sub))
            default: operands.append(op)
            }
        }
        return AsmTemplate(text: p.text, operands: operands,
                           ties: p.ties.map { Tie(input: $0.input > i ? $0.input - 1 : $0.input, output: $0.output) },
                           clobbers: p.clobbers, role: p.role, labels: p.labels,
                           constantInputs: p.constantInputs.filter { $0 != i }.map { $0 > i ? $0 - 1 : $0 })
    }

    /// A compiler barrier: nothing is emitted.
    public static let barrier = AsmTemplate(text: "")
    /// The empty statements around a volatile load, and after a volatile store (nothing is
    /// emitted).
    public static let volatileLoadStart = AsmTemplate(text: "", role: .volatileLoadStart)
    public static let volatileAccessEnd = AsmTemplate(text: "", role: .volatileAccessEnd)

    public struct SubstitutionError: Error, Equatable {
        public var message: String
        public init(message: String) { self.message = message }
    }

    /// The assembly text with operand references replaced by `spell(operand)`; `uid`
    /// replaces `${:uid}`.
    public func substituted(uid: Int = 0, _ spell: (Operand) -> String) throws(SubstitutionError) -> String {
        var out = ""
        var variant: Int? = nil          // inside $( ... $): the alternative being read
        let chars = Array(text)
        var i = 0
        func emit(_ s: String) { if variant == nil || variant == 0 { out += s } }
        while i < chars.count {
            let c = chars[i]
            guard c == "$", i + 1 < chars.count else { emit(String(c)); i += 1; continue }
            let n = chars[i + 1]
            switch n {
            case "$": emit("$"); i += 2
            case "(": variant = 0; i += 2
            case "|": if let v = variant { variant = v + 1 } else { emit("|") }; i += 2
            case ")": if variant != nil { variant = nil } else { emit("}") }; i += 2
            case "{":
                guard let close = chars[(i + 2)...].firstIndex(of: "}") else {
                    throw SubstitutionError(message: "unterminated operand reference")
                }
                let inner = String(chars[(i + 2)..<close])
                let parts = inner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                if parts[0].isEmpty && parts.count == 2 && parts[1] == "uid" {
                    emit(String(uid))
                } else {
                    guard let k = Int(parts[0]) else { throw SubstitutionError(message: "invalid operand reference '%{\(inner)}'") }
                    emit(try operandText(k, modifier: parts.count == 2 ? parts[1] : "", spell))
                }
                i = close + 1
            case let d where d.isASCII && d.isNumber:
                var j = i + 1
                while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
                emit(try operandText(Int(String(chars[(i + 1)..<j]))!, modifier: "", spell))
                i = j
            default:
                throw SubstitutionError(message: "invalid '%' escape in inline assembly")
            }
        }
        return out
    }

    private func operandText(_ k: Int, modifier: String, _ spell: (Operand) -> String) throws(SubstitutionError) -> String {
        guard k < operands.count else { throw SubstitutionError(message: "operand \(k) does not exist") }
        let op = operands[k]
        if case .label = op {
            guard modifier == "l" else { throw SubstitutionError(message: "a label operand is written '%l\(k)'") }
            return spell(op)
        }
        switch modifier {
        case "": return spell(op)
        case "l": throw SubstitutionError(message: "operand \(k) is not a label")
        case "c", "n":
            guard case .imm(let v) = op else {
                throw SubstitutionError(message: "modifier '\(modifier)' needs a constant operand")
            }
            return String(modifier == "n" ? 0 &- v : v)
        default: throw SubstitutionError(message: "unknown operand modifier '\(modifier)' (BPF has none but 'c' and 'n')")
        }
    }

    /// A BPF register name: `rN` (64-bit) or `wN` (its 32-bit half), N in 0...10 written
    /// without leading zeros.
    public static func register(named name: Substring) -> (number: Int, subregister: Bool)? {
        guard let f = name.first, f == "r" || f == "w", name.count <= 3, let n = Int(name.dropFirst()), n <= 10,
              String(n) == name.dropFirst() else { return nil }
        return (n, f == "w")
    }

    /// Registers the text names itself (rN/wN outside operand references), and r0–r5
    /// when it contains a call: the statement's implicit clobbers.
    public var namedRegisters: UInt16 {
        var mask: UInt16 = 0
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "$" { i += 2; continue }        // $N, $$, ${...}: the digits after are no register
            guard c.isLetter || c == "_" else { i += 1; continue }
            var j = i
            while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
            let word = String(chars[i..<j])
            if word == "call" { mask |= 0x3f }
            if let r = Self.register(named: Substring(word)), r.number <= 9 { mask |= 1 << r.number }
            i = j
        }
        return mask
    }
}
