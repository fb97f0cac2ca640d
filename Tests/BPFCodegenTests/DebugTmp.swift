import Testing
import BPFIR
@testable import BPFCodegen
@Test func debugSeed() throws {
    let cpu = 3, seed = 110
    var g = RandomProgram(seed: UInt64(seed) &* 7919 &+ UInt64(cpu), cpu: cpu)
    let f = g.generate()
    print(IRPrinter.print(f))
    let c = try Codegen.compile(f, options: CodegenOptions(cpu: cpu))
    print(c.disassembly)
    let ra = try RegisterAllocator.allocate(Legalizer.legalize(f, cpu: cpu))
    print(ra.assignment.sorted { $0.key < $1.key }.map { "\($0.key)->r\($0.value)" }.joined(separator: " "))
}
