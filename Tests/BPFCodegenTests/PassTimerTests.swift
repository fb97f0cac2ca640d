import Testing
@testable import BPFIR

/// SWIFT_BPFCC_TIME_PASSES's report: time per pass, how many runs changed the function,
/// and the time of the runs that did not.
@Suite struct PassTimerTests {
    @Test func reportCountsRunsThatChangedTheFunction() {
        let f = Function(name: "f", section: "xdp", linkage: .global, parameters: [VReg(0)],
                         blocks: [Block(id: BlockID(0), terminator: .ret(.imm(0)))], slots: [], nextVReg: 1)
        var changed = f
        changed.blocks[0].terminator = .ret(.imm(2))
        var timer = PassTimer(enabled: true)
        _ = timer.time("Folding", changing: f) { f }
        _ = timer.time("Folding", changing: f) { changed }
        _ = timer.time("Folding", changing: changed) { changed }
        _ = timer.time("Other", changing: f) { f }
        _ = timer.timeModule("Across") { 0 }
        let lines = timer.lines
        #expect(lines.count == 3)
        #expect(lines.contains { $0.hasPrefix("swift-bpfcc: pass Folding ") && $0.contains(" ms (3 runs, 1 changed the function; ")
                                 && $0.hasSuffix(" ms in the others)") })
        #expect(lines.contains { $0.hasPrefix("swift-bpfcc: pass Other ") && $0.contains(" ms (1 run, 0 changed the function; ")
                                 && $0.hasSuffix(" ms in the others)") })
        #expect(lines.contains { $0.hasPrefix("swift-bpfcc: pass Across ") && $0.hasSuffix(" ms") })
    }

    @Test func disabledTimerRecordsNothing() {
        var timer = PassTimer(enabled: false)
        _ = timer.timeModule("Across") { 0 }
        #expect(timer.lines.isEmpty)
    }
}
