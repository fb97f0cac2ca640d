import BPFIR
import BPFFrontend

/// GNU inline assembly: operands are bound to fresh registers (or constants) and the
/// statement becomes one `inlineAsm` instruction that codegen assembles once registers
/// are allocated. Outputs are written back to their C lvalues after it.
extension FunctionLowering {
    func lowerAsm(_ a: AsmStatement, at loc: SourceLocation) throws {
        let text = a.template.trimmed(newlines: true)
        if text.isEmpty && a.outputs.isEmpty {
            // A compiler barrier (`asm volatile("" ::: "memory")`): no code, but what memory
            // held before it is not known after it — an empty statement the passes treat
            // as one that may write any memory (as clang's build reloads after it: tracee's
            // `save_to_submit_buf` starts with `barrier()` so that the verifier sees the
            // buffer's offset read from the map, not the precise sum of the sizes saved
            // before, which split its states on every path). Without "memory" it does
            // nothing. With outputs (barrier_var) the statement below hides their values
            // from the optimizer.
            if a.clobbers.contains("memory") {
                at(loc)
                b.emit(.inlineAsm(AsmTemplate(text: ""), inputs: RegisterList([]), outputs: RegisterList([])))
            }
            return
        }
        if a.labels.isEmpty, let call = try asmHelperCall(a, text: text, at: loc) {
            b.emit(call)
            return
        }
        let u64 = CType.int(bytes: 8, signed: false, name: "unsigned long long")
        var operands: [AsmTemplate.Operand] = []
        var inputs: [VReg] = [], outputs: [VReg] = []
        var ties: [AsmTemplate.Tie] = []
        var constantInputs: [Int] = []
        var results: [LValue] = []

        /// A constant operand as a 64-bit value (C's conversion: signed types sign-extend).
        func widened(_ e: Expr, _ value: Operand) throws -> Operand {
            try convert(value, from: e.type, to: layout.isSigned(e.type) && !e.type.isPointer
                        ? .int(bytes: 8, signed: true, name: "long long") : u64, at: e.location)
        }
        /// The value in a register of its own (copy propagation forwards the value's own
        /// register where it can: the text may only read an input, as GNU C has it).
        /// Narrow values arrive zero-extended, as clang's do.
        func inputCopy(_ e: Expr, _ value: Operand) throws -> VReg {
            let t = b.newVReg()
            if case .imm = value {
                b.emit(.mov(dst: t, src: try widened(e, value), width: .w64))
            } else {
                b.emit(.mov(dst: t, src: value, width: .w64))
            }
            return t
        }
        func requireScalar(_ e: Expr) throws {
            guard layout.isScalar(e.type) else { throw LoweringError(e.location, "an asm operand must have a scalar type") }
        }

        for (constraint, e) in a.outputs {
            var c = Substring(constraint)
            guard let mode = c.first, mode == "=" || mode == "+" else {
                throw LoweringError(e.location, "invalid output constraint '\(constraint)' in asm")
            }
            c = c.dropFirst()
            if c.first == "&" { c = c.dropFirst() }   // early clobber: outputs never share inputs' registers anyway
            guard let sub = Self.registerConstraint(c) else {
                throw LoweringError(e.location, "unsupported output constraint '\(constraint)' in asm (BPF takes \"=r\", \"+r\", \"=g\" or \"=w\")")
            }
            try requireScalar(e)
            let lv = try lvalue(e)
            if mode == "+" {
                guard case .scalar(let current) = try load(lv, at: e.location) else {
                    throw LoweringError(e.location, "an asm operand must have a scalar type")
                }
                inputs.append(try inputCopy(e, current))
                ties.append(.init(input: inputs.count - 1, output: outputs.count))
            }
            operands.append(.output(outputs.count, subregister: sub))
            outputs.append(b.newVReg())
            results.append(lv)
        }
        for (constraint, e) in a.inputs {
            if let n = Int(constraint) {
                // A matching constraint: the input arrives in output n's register.
                guard n < a.outputs.count else { throw LoweringError(e.location, "invalid matching constraint '\(constraint)' in asm") }
                try requireScalar(e)
                inputs.append(try inputCopy(e, try scalarPreferringConstant(e)))
                ties.append(.init(input: inputs.count - 1, output: n))
                operands.append(operands[n])
                continue
            }
            let letters = Set(constraint)
            let allowsImm = !letters.isDisjoint(with: "ing"), allowsReg = !letters.isDisjoint(with: "rwg")
            guard letters.isSubset(of: "ringw"), allowsImm || allowsReg else {
                throw LoweringError(e.location, "unsupported input constraint '\(constraint)' in asm (BPF takes \"r\", \"w\", \"i\" or \"ri\")")
            }
            try requireScalar(e)
            let value: Operand
            if let inner = truncatedBelow32Bits(e) {
                // `(short)x`: clang hands the text the register it truncates (an i16
                // operand is any-extended), not x's low bits (bpf_experimental.h's
                // `__bpf_cmp` passes `(short)LHS`: masked, the compare would bound a copy
                // and not x, which the verifier then walks unbounded).
                let v = try scalarPreferringConstant(inner)
                if case .imm = v { value = try convert(v, from: inner.type, to: e.type, at: e.location) } else { value = v }
            } else {
                value = try scalarPreferringConstant(e)
            }
            if allowsImm, case .imm(let wide) = try widened(e, value) {
                operands.append(.imm(wide))
                continue
            }
            guard allowsReg else {
                throw LoweringError(e.location, "asm operand with constraint '\(constraint)' needs an integer constant expression")
            }
            if allowsImm { constantInputs.append(inputs.count) }
            inputs.append(try inputCopy(e, value))
            operands.append(.input(inputs.count - 1, subregister: letters.contains("w")))
        }

        var clobbers: UInt16 = 0
        for c in a.clobbers where c != "memory" && c != "cc" {
            guard let r = AsmTemplate.register(named: Substring(c)), r.number <= 9 else {
                throw LoweringError(loc, "unknown register name '\(c)' in asm")
            }
            clobbers |= 1 << r.number
        }
        // asm goto: its labels are the operands after the inputs and, as clang numbers
        // them, after a hidden input per "+" output (the value the output starts with).
        if !a.labels.isEmpty {
            for t in ties where a.outputs[t.output].constraint.hasPrefix("+") {
                guard case .output(_, let sub) = operands[t.output] else { continue }
                operands.append(.input(t.input, subregister: sub))
            }
        }
        operands += a.labels.indices.map { .label($0) }
        let named = AsmTemplate(text: a.template, operands: operands, ties: ties).namedRegisters
        let template = AsmTemplate(text: a.template, operands: operands, ties: ties, clobbers: clobbers | named,
                                   labels: a.labels.count, constantInputs: constantInputs)
        do {
            _ = try template.substituted { _ in "r0" }
        } catch {
            throw LoweringError(loc, "invalid inline assembly: \(error.message)")
        }
        let selector = b.newVReg()
        b.emit(.inlineAsm(template, inputs: RegisterList(inputs), outputs: RegisterList(outputs + (a.labels.isEmpty ? [] : [selector]))))
        for (lv, out) in zip(results, outputs) {
            try assign(lv, rvalue: .scalar(.reg(out)), type: u64, at: loc)
        }
        if !a.labels.isEmpty { branchToLabels(a.labels, on: selector) }
    }

    /// After `asm goto`: to label N's block where `selector` is N + 1, on where it is 0
    /// (the fall-through).
    private func branchToLabels(_ labels: [String], on selector: VReg) {
        let fallThrough = b.newBlock()
        if labels.count == 1 {
            b.terminate(.branch(.ne, lhs: selector, rhs: .imm(0), width: .w64, then: labelBlock(labels[0]), else: fallThrough))
        } else {
            for (n, name) in labels.enumerated() {
                let orElse = n == labels.count - 1 ? fallThrough : b.newBlock()
                b.terminate(.branch(.eq, lhs: selector, rhs: .imm(Int64(n + 1)), width: .w64, then: labelBlock(name), else: orElse))
                b.switchTo(orElse)
            }
        }
        b.switchTo(fallThrough)
    }

    /// The operand of a cast of an integer to an integer type under 32 bits, when the
    /// cast narrows it.
    private func truncatedBelow32Bits(_ e: Expr) -> Expr? {
        guard case .cast(let inner, _) = e.kind, e.type.isInteger, inner.type.isInteger,
              layout.size(e.type) < 4, layout.size(inner.type) > layout.size(e.type) else { return nil }
        return inner
    }

    /// "r" → a 64-bit register, "w" → its 32-bit half; nil for anything else.
    /// An output constraint's register: the 64-bit register (false) for "r", and for "g"
    /// (any place, which a register is: the kernel selftests' `__sink` is
    /// `asm volatile("" : "+g"(x))`), the 32-bit subregister (true) for "w". ("m" stays
    /// refused: clang's build puts such an operand in memory, which the text then names.)
    private static func registerConstraint(_ c: Substring) -> Bool? {
        switch c {
        case "r", "g", "rg", "gr": return false
        case "w": return true
        default: return nil
        }
    }

    /// `rK = $N` / `rK = IMM` lines followed by `call N` (libbpf's bpf_tail_call_static):
    /// a helper call with those arguments, which the optimizer and allocator see through.
    private func asmHelperCall(_ a: AsmStatement, text: String, at loc: SourceLocation) throws -> Inst? {
        let lines: [String] = text.split(whereSeparator: { $0 == "\n" || $0 == ";" })
            .map { $0.trimmed() }
            .filter { !$0.isEmpty }
        guard a.outputs.isEmpty, let last = lines.last, last.hasPrefix("call ") else { return nil }
        guard let helper = Int32(last.dropFirst(5).trimmed()) else { return nil }
        let operands = a.inputs.map(\.expr)
        var args: [Int: Operand] = [:]
        for line in lines.dropLast() {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmed() }
            guard parts.count == 2, parts[0].hasPrefix("r"), let reg = Int(parts[0].dropFirst()), (1...5).contains(reg) else { return nil }
            let rhs = parts[1]
            if rhs.hasPrefix("$"), let n = Int(String(rhs.dropFirst())), n < operands.count {
                args[reg] = try scalar(operands[n])
            } else if let k = Int64(rhs) {
                args[reg] = .imm(k)
            } else {
                return nil
            }
        }
        let count = args.keys.max() ?? 0
        var ops: [Operand] = []
        for r in 0..<count { ops.append(args[r + 1] ?? .imm(0)) }
        return .call(dst: nil, callee: .helper(helper), args: OperandList(ops))
    }
}
