import Testing
import BPFIR

/// The IR's instructions hold no reference-counted values: names, register lists and
/// inline-assembly templates are numbered in process-wide tables, a call's operands
/// are stored inline. These values must still compare, hash and read back as the
/// values they stand for.
@Suite struct IRValueTests {
    @Test func instructionsAreTriviallyCopyable() {
        #expect(_isPOD(Inst.self))
        #expect(_isPOD(Instruction.self))
        #expect(_isPOD(Terminator.self))
    }

    @Test func namesReadBackAndCompareByValue() {
        var s = SymbolRef(name: "counters", offset: 8)
        #expect(s.name == "counters" && s.offset == 8)
        #expect(s == SymbolRef(name: "count" + "ers", offset: 8))
        #expect(s != SymbolRef(name: "counter", offset: 8))
        s.name = "other"
        #expect(s.name == "other" && s == SymbolRef(name: "other", offset: 8))
        var r = CoreReloc(typeName: "task_struct", accessString: "0:1", kind: 0)
        r.accessString = "0:2"
        #expect(r.typeName == "task_struct" && r.accessString == "0:2")
        #expect(r == CoreReloc(typeName: "task_struct", accessString: "0:2", kind: 0))
        #expect(Callee.function(SymbolName("f")) == .function("f") && Callee.function("f") != .kfunc("f"))
        #expect(SymbolName("bpf_obj_new_impl").string == "bpf_obj_new_impl")
        #expect(IRLocation(file: "a.c", line: 3, column: 1).file == "a.c")
    }

    @Test func callOperandsReadBackInOrder() {
        let ops: [Operand] = [.reg(VReg(7)), .imm(-5), .imm(Int64.max), .reg(VReg(0)), .imm(0)]
        let list = OperandList(ops)
        #expect(Array(list) == ops)
        #expect(list == OperandList(ops) && list.hashValue == OperandList(ops).hashValue)
        #expect(list != OperandList(ops.dropLast()))
        #expect(OperandList([.reg(VReg(1))]) != OperandList([.imm(1)]))
        #expect(OperandList([]).isEmpty)
    }

    @Test func registerListsAndTemplatesCompareByValue() {
        let a = RegisterList([VReg(3), VReg(9)])
        #expect(Array(a) == [VReg(3), VReg(9)] && a == RegisterList([VReg(3), VReg(9)]))
        #expect(a != RegisterList([VReg(9), VReg(3)]))
        let t = AsmTemplate(text: "$0 = $1", operands: [.output(0, subregister: false), .input(0, subregister: true)],
                            ties: [AsmTemplate.Tie(input: 0, output: 0)], clobbers: 0b110, role: .statement)
        let u = AsmTemplate(text: "$0 = $1", operands: [.output(0, subregister: false), .input(0, subregister: true)],
                            ties: [AsmTemplate.Tie(input: 0, output: 0)], clobbers: 0b110, role: .statement)
        #expect(t == u && t.hashValue == u.hashValue)
        #expect(t.text == "$0 = $1" && t.clobbers == 0b110 && t.ties.count == 1 && t.operands.count == 2)
        #expect(t != AsmTemplate(text: "$0 = $1", clobbers: 0b110))
        #expect(AsmTemplate.volatileLoadStart.role == .volatileLoadStart && AsmTemplate.barrier.text.isEmpty)
    }
}
