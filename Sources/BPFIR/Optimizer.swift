#if canImport(Glibc)
import Glibc
#endif

/// The pass pipeline run between lowering and codegen.
public enum Optimizer {
    /// `optimized`: functions the pipeline has been through already (the driver's second
    /// try at a frame over the limit re-runs it for one function among optimized ones);
    /// only what is found across functions runs over them again.
    public static func run(_ m: Module, level: Int, optimized: Set<String> = []) -> Module {
        var timer = PassTimer(enabled: getenv("SWIFT_BPFCC_TIME_PASSES") != nil)
        let skipped = Set((getenv("SWIFT_BPFCC_SKIP").map { String(cString: $0) } ?? "").split(separator: ",").map(String.init))
        var m = m
        if level > 0 && !skipped.contains("ConstantArguments") { m = timer.timeModule("ConstantArguments") { ConstantArguments.run(m) } }
        if level > 0 { m = ExclusiveParameters.mark(m) }
        let printsSteps = getenv("SWIFT_BPFCC_PRINT_PASSES") != nil
        let pure = level > 0 ? PureFunctions.find(m) : []
        let readOnly = ReadOnlyMemory(data: m.readOnlyData, addresses: m.readOnlyAddresses, written: m.writtenBytes, stored: m.storedBytes)
        let privateStatics = level > 0 ? UnwrittenGlobals.privateStatics(of: m) : []
        /// `input` through the pass pipeline.
        func optimize(_ input: Function, privateStatics: Set<String>) -> Function {
            var f = input
            if level > 0 {
                // How many steps changed `f`, and that count when each pass last ran: a pass
                // is not run again on its own output (nothing changed since it ran). The
                // passes are idempotent: run on their output, they change nothing.
                var version = 0
                // (By where the name's bytes are: the literals of one name are one constant
                // in the binary, and no String is made and hashed at every step. Were two
                // apart, that pass would only run once more, finding nothing to change.)
                var ranAt: [UnsafeRawPointer: Int] = [:]
                // One step: `f` through the named pass, timed when SWIFT_BPFCC_TIME_PASSES is set.
                func step(_ name: StaticString, _ pass: (Function) -> Function) {
                    if !skipped.isEmpty && skipped.contains(name.description) { return }
                    let key = UnsafeRawPointer(name.utf8Start)
                    if ranAt[key] == version { return }
                    let before = f
                    f = timer.enabled ? timer.time(name.description, changing: before) { pass(f) } : pass(f)
                    // (An unchanged function compares in a moment: a pass that changes
                    // nothing hands back its input's arrays.)
                    if !f.isEqual(to: before) {
                        version += 1
                        if printsSteps { fputs("; after \(name)\n" + IRPrinter.print(f), stderr) }
                    }
                    ranAt[key] = version
                }
                step("CFGSimplify", CFGSimplify.run)
                step("ReturnMerging", ReturnMerging.run)
                step("CFGSimplify", CFGSimplify.run)
                step("CFGSimplify.joinStraightLines", CFGSimplify.joinStraightLines)
                step("FullUnrolling") { FullUnrolling.run($0, memory: readOnly) }
                step("WebSplitting", WebSplitting.run)
                step("UnsignedDivision", UnsignedDivision.run)
                // Forwarding and folding feed each other (a forwarded stack value is an
                // address to fold, a folded address makes a slot private): two rounds.
                step("AddressFolding.foldSlots", AddressFolding.foldSlots)
                step("LocalAtomics", LocalAtomics.run)
                step("SlotCopyForwarding", SlotCopyForwarding.run)
                step("StoreSinking", StoreSinking.run)
                for round in 0..<2 {
                    // Once dead address computations are gone, private slots become
                    // registers (one web each where their stores allow).
                    if round == 1 {
                        // A copy between slots that a dead store to its source spoiled
                        // (`w = x++` with x read no more) forwards once the store is gone.
                        step("SlotCopyForwarding", SlotCopyForwarding.run)
                        step("SlotPromotion", SlotPromotion.run)
                        step("WebSplitting", WebSplitting.run)
                    }
                    step("ValueNumbering") { ValueNumbering.run($0, pureFunctions: pure) }
                    step("StackForwarding", StackForwarding.run)
                    step("DeadStoreElimination", DeadStoreElimination.run)
                    step("OverwrittenStores", OverwrittenStores.run)
                    step("LoadElimination", LoadElimination.run)
                    step("ZeroSlots", ZeroSlots.run)
                    step("StoredValueThreading.forwardConstants", StoredValueThreading.forwardConstants)
                    step("ReadOnlyLoads") { ReadOnlyLoads.run($0, memory: readOnly) }
                    step("KnownBits") { KnownBits.run($0, memory: readOnly) }
                    step("ConstantFolding", ConstantFolding.run)
                    // A memcpy or memset whose size folding has made a constant is loads
                    // and stores from now on (see `MemoryBuiltin`).
                    step("MemoryCalls", MemoryCalls.expand)
                    step("AddressFolding.foldOffsets", AddressFolding.foldOffsets)
                    if round == 0 {
                        step("DeadCodeElimination", DeadCodeElimination.run)
                        step("DeadControlFlow") { DeadControlFlow.run($0, pureFunctions: pure, privateStatics: privateStatics) }
                    }
                }
                // Tests of converted values test the values; the conversions die, so that
                // threading sees the small blocks that only branch on a flag.
                step("NarrowCompares", NarrowCompares.run)
                step("BoolTests", BoolTests.run)
                step("DeadCodeElimination", DeadCodeElimination.run)
                step("ConstantPredicates", ConstantPredicates.run)
                step("CountdownBranches", CountdownBranches.run)
                step("StoredValueThreading", StoredValueThreading.run)
                step("JumpThreading", JumpThreading.run)
                step("CFGSimplify.joinStraightLines", CFGSimplify.joinStraightLines)
                step("CFGSimplify", CFGSimplify.run)
                step("RegionNumbering", RegionNumbering.run)
                // Once threading has removed the merges an inlined function's returns made
                // (`if (!reserve(&rb, ...)) return 0;`), a local struct's field stored and
                // read back reads the stored value, and a constant it forwards decides the
                // tests on it (a clamp against a size stored in the struct).
                step("ValueNumbering") { ValueNumbering.run($0, pureFunctions: pure) }
                step("ConstantFolding", ConstantFolding.run)
                step("DeadStoreElimination", DeadStoreElimination.run)
                step("OverwrittenStores", OverwrittenStores.run)
                step("NarrowOperandFolding", NarrowOperandFolding.run)
                // Again, now that extensions read the loads themselves, not copies of them:
                // `0 >= (u64)c` of a `char`, in every round of an unrolled loop, tests the
                // byte itself.
                step("NarrowCompares", NarrowCompares.run)
                // A test of a quotient or right shift by constants tests the dividend
                // (`(x / 1000) >> 32 > 0xffff` is `x > 0x3e7ffffffffffff`).
                step("QuotientCompares", QuotientCompares.run)
                // A difference of one value's sums is a constant (`x - (0xce43 + x)`): one
                // the ranges below then test against.
                step("LinearForms", LinearForms.run)
                step("ConstantFolding", ConstantFolding.run)
                step("RedundancyElimination", RedundancyElimination.run)
                step("ByteSwapIdioms", ByteSwapIdioms.run)
                step("BitValues", BitValues.run)
                step("DemandedBits", DemandedBits.run)
                step("FieldInserts", FieldInserts.run)
                step("MaskAlgebra", MaskAlgebra.run)
                // Once threading and narrowing have made the values plain (a stack slot
                // promoted, a conversion gone), known bits decide more.
                step("KnownBits") { KnownBits.run($0, memory: readOnly) }
                step("PointerOffsets", PointerOffsets.run)
                step("ConstantFolding", ConstantFolding.run)
                step("AddressFolding.foldOffsets", AddressFolding.foldOffsets)
                step("SwitchOrder", SwitchOrder.run)
                step("CopyWidening", CopyWidening.run)
                step("StoreWidening", StoreWidening.run)
                step("StackForwarding", StackForwarding.run)
                step("DeadStoreElimination", DeadStoreElimination.run)
                step("DeadCodeElimination", DeadCodeElimination.run)
                step("DemandedBits.truncatedOperations", DemandedBits.truncatedOperations)
                step("XorForms", XorForms.run)
                step("LinearForms", LinearForms.run)
                step("MoveFolding", MoveFolding.run)
                step("ByteSwapIdioms.storedPieces", ByteSwapIdioms.storedPieces)
                step("NarrowStoreFolding", NarrowStoreFolding.run)
                step("DeadCodeElimination", DeadCodeElimination.run)
                step("DeadControlFlow") { DeadControlFlow.run($0, pureFunctions: pure, privateStatics: privateStatics) }
                step("CFGSimplify", CFGSimplify.run)      // blocks emptied by DCE
                step("ConditionalBits", ConditionalBits.run)
                step("WrapChecks", WrapChecks.run)
                step("SignedBranches", SignedBranches.run)
                step("SwitchArithmetic", SwitchArithmetic.run)
                step("RangeChecks", RangeChecks.run)
                step("SelectFormation", SelectFormation.run)
                step("TruthArithmetic", TruthArithmetic.run)
                step("AddressReuse", AddressReuse.run)
                step("CallArgumentSinking", CallArgumentSinking.run)
                step("CommonCodeHoisting", CommonCodeHoisting.run)
                let beforeHoisting = version
                step("LoopInvariantHoisting", LoopInvariantHoisting.run)
                if version != beforeHoisting {
                    // Truth values moved out of conditional arms lie one before the other
                    // now: one computes, the others copy (their loads of one slot first
                    // made one).
                    step("ValueNumbering") { ValueNumbering.run($0, pureFunctions: pure) }
                    step("RegionNumbering", RegionNumbering.run)
                    step("ValueNumbering") { ValueNumbering.run($0, pureFunctions: pure) }
                }
                // A loop filling an array with one value (hoisted out of it just above)
                // stores the bytes at once; the stores it overwrites die.
                let beforeFilling = version
                step("FillLoops", FillLoops.run)
                if version != beforeFilling { step("DeadStoreElimination", DeadStoreElimination.run) }
                step("TruthArithmetic.orderings", TruthArithmetic.orderings)
                step("RemainderClamps", RemainderClamps.run)
                step("DiamondSinking", DiamondSinking.run)
                step("TailMerging", TailMerging.run)
                step("CFGSimplify", CFGSimplify.run)
                step("CommonTargetBranches", CommonTargetBranches.run)
                step("BitTestBranches", BitTestBranches.run)
                step("LoadSinking", LoadSinking.run)
                step("LoadSinking.withinBlocks", LoadSinking.withinBlocks)
                step("LoadSinking.intoSuccessors", LoadSinking.intoSuccessors)
                // What the late branch removals left unread (a global's load that only
                // decided a branch whose arms came to nothing).
                step("DeadCodeElimination", DeadCodeElimination.run)
                step("CFGSimplify", CFGSimplify.run)
                step("MemoryCalls", MemoryCalls.expand)
                // Stores the late branch removals left in one line of blocks (an unrolled
                // loop's rounds, each a block until its exit test folded) are one run now.
                // (The blocks stay apart where no store widens: joined, they are placed
                // otherwise.)
                step("StoreWidening") { g in
                    let joined = CFGSimplify.joinStraightLines(g)
                    let widened = StoreWidening.run(joined)
                    return widened.isEqual(to: joined) ? g : widened
                }
            }
            return f
        }
        // (Callees defined before their callers are optimized first: what they return on
        // every path, a caller reads as a constant from the start of its own pipeline.)
        // The largest values they return, likewise, a caller's bounds of its calls' results.
        var constantReturns: [SymbolName: Int64] = [:]
        var returnBounds: [SymbolName: UInt64] = [:]
        let usesReturns = level > 0 && !skipped.contains("ConstantReturns")
        let boundsReturns = level > 0 && !skipped.contains("ReturnBounds")
        for i in m.functions.indices {
            var f = m.functions[i]
            if !optimized.contains(f.name) {
                if !constantReturns.isEmpty { f = ConstantReturns.use(constantReturns, in: f) }
                if !returnBounds.isEmpty {
                    var called: [SymbolName: UInt64] = [:]
                    f.forEachInstruction { _, inst in
                        if case .call(_, .function(let n), _) = inst, let b = returnBounds[n] { called[n] = b }
                    }
                    f.returnBounds = called
                }
                f = optimize(f, privateStatics: privateStatics.isEmpty ? [] : privateStatics[i])
            }
            if usesReturns, let k = ConstantReturns.value(of: f) { constantReturns[SymbolName(f.name)] = k }
            if boundsReturns, let b = ReturnBounds.bound(of: f) { returnBounds[SymbolName(f.name)] = b }
            m.functions[i] = f
        }
        /// Function `i` of `m` through `passes`, once each, in order: what a fact found
        /// across functions lets fold.
        func followUp(_ i: Int, _ passes: [(String, (Function) -> Function)]) {
            var f = m.functions[i]
            for (name, pass) in passes { f = timer.time(name, changing: f) { pass(f) } }
            m.functions[i] = f
        }
        let folding: [(String, (Function) -> Function)] = [("ConstantFolding", ConstantFolding.run), ("CFGSimplify", CFGSimplify.run),
                                                           ("DeadCodeElimination", DeadCodeElimination.run), ("CFGSimplify", CFGSimplify.run)]
        // (Across functions no static is private to one: `privateStatics` empty.)
        let deadControlFlow: (String, (Function) -> Function) = ("DeadControlFlow", { DeadControlFlow.run($0, pureFunctions: pure, privateStatics: []) })
        let deadCode: [(String, (Function) -> Function)] = [("DeadCodeElimination", DeadCodeElimination.run), deadControlFlow]
        // A function no call reaches any more (its only call was in a branch folding
        // decided) writes nothing: gone before the statics' writes are counted again.
        if level > 0 { m = m.droppingUncalledStaticFunctions() }
        // Stores the pipeline found to write back what their bytes held (`g.f ^= 0`) are
        // gone, and so are the stores folding found unreachable (a store at an index not
        // known in a `switch` case never taken): a `static` they were the only writes of
        // keeps its initializer there, and its loads in the functions reading it become
        // constants, the loops computing only what they fed then dead. (Not the whole
        // pipeline again: run twice, it decides more and costs the verifier more, a random
        // program's function 105k → 213k instructions walked.)
        /// The passes folding the loads of read-only memory (`memory` holding more than
        /// the pipeline's did) and what they decide.
        func loadFolding(_ memory: ReadOnlyMemory) -> [(String, (Function) -> Function)] {
            [("ReadOnlyLoads", { ReadOnlyLoads.run($0, memory: memory) }), ("KnownBits", { KnownBits.run($0, memory: memory) })] + folding
                + [deadControlFlow, ("CFGSimplify", CFGSimplify.run)]
        }
        func currentMemory() -> ReadOnlyMemory {
            ReadOnlyMemory(data: m.readOnlyData, addresses: m.readOnlyAddresses, written: m.writtenBytes, stored: m.storedBytes)
        }
        if level > 0, !skipped.contains("UnwrittenGlobals"), let fewer = timer.timeModule("UnwrittenGlobals", { UnwrittenGlobals.fewerWrites(in: m) }) {
            m = fewer.module
            let passes = loadFolding(currentMemory())
            for i in fewer.readers { followUp(i, passes) }
        }
        // Statics whose writes are reachable only once they have changed (clang's
        // interprocedural constant propagation finds them): the functions naming them
        // folded on the supposition that they never change, kept when it holds.
        if level > 0, !skipped.contains("SteadyStatics"), let steady = timer.timeModule("SteadyStatics", {
            SteadyStatics.find(in: m) { f, memory in
                var f = f
                for (_, pass) in loadFolding(memory) { f = pass(f) }
                return f
            }
        }) {
            // A loop whose calls and branches the supposition folded away may be unrolled
            // now (it was not when the pipeline's unrolling ran).
            let before = m.functions
            m = steady
            let memory = currentMemory()
            for i in m.functions.indices where i < before.count && m.functions[i] != before[i] {
                followUp(i, [("FullUnrolling", { FullUnrolling.run($0, memory: memory) })] + loadFolding(memory))
            }
        }
        if level > 0 && !skipped.contains("NarrowParameters") {
            // Across functions, once each is optimized (the callers' arguments are then
            // their loads and computations); the branches a folded shift decides go.
            let (narrowed, changed) = timer.timeModule("NarrowParameters") { NarrowParameters.run(m) }
            m = narrowed
            for i in changed { followUp(i, folding) }
        }
        if level > 0 && !skipped.contains("DeadParameters") {
            // Across functions, once each is optimized (a parameter only stored to its
            // slot is unused only then); the callers' argument computations may die.
            let (pruned, callers) = timer.timeModule("DeadParameters") { DeadParameters.run(m) }
            m = pruned
            // (A pure function's call whose result is now unread, an argument dropped,
            // goes with the rest.)
            for i in callers { followUp(i, deadCode) }
        }
        if level > 0 && !skipped.contains("DeadReturns") {
            // A result no caller reads: what computed it dies in the callee.
            let (pruned, callees) = timer.timeModule("DeadReturns") { DeadReturns.run(m) }
            m = pruned
            for i in callees { followUp(i, deadCode + [("CFGSimplify", CFGSimplify.run)]) }
        }
        if level > 0 { m = m.droppingUncalledStaticFunctions() }
        timer.report()
        return m
    }
}

/// Time spent in each pass, summed over functions, and how many of its runs changed the
/// function, printed on stderr at the end of the pipeline (set SWIFT_BPFCC_TIME_PASSES
/// to see it).
struct PassTimer {
    let enabled: Bool
    private var totals: [(name: String, ns: UInt64, runs: Int, changed: Int, unchangedNs: UInt64)] = []

    init(enabled: Bool) { self.enabled = enabled }

    private mutating func add(_ name: String, _ ns: UInt64, changed: Bool? = nil) {
        let i: Int
        if let k = totals.firstIndex(where: { $0.name == name }) { i = k } else { totals.append((name, 0, 0, 0, 0)); i = totals.count - 1 }
        totals[i].ns += ns
        if let changed = changed {
            totals[i].runs += 1
            if changed { totals[i].changed += 1 } else { totals[i].unchangedNs += ns }
        }
    }

    /// `body`'s result, a function pass's output for `input`: its time counted under
    /// `name`, and whether it changed the function.
    mutating func time(_ name: String, changing input: Function, _ body: () -> Function) -> Function {
        guard enabled else { return body() }
        let (f, ns) = timed(body)
        add(name, ns, changed: !f.isEqual(to: input))
        return f
    }

    /// `body`'s result, timed under `name`.
    mutating func timeModule<T>(_ name: String, _ body: () -> T) -> T {
        guard enabled else { return body() }
        let (r, ns) = timed(body)
        add(name, ns)
        return r
    }

    private func timed<T>(_ body: () -> T) -> (T, UInt64) {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let t0 = UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
        let r = body()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return (r, UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec) - t0)
    }

    /// The report's lines, the slowest pass first.
    var lines: [String] {
        totals.sorted(by: { $0.ns > $1.ns }).map { t in
            let runs = t.runs > 0 ? " (\(t.runs) run\(t.runs == 1 ? "" : "s"), \(t.changed) changed the function; "
                + "\(Double(t.unchangedNs) / 1e6) ms in the others)" : ""
            return "swift-bpfcc: pass \(t.name) \(Double(t.ns) / 1e6) ms\(runs)"
        }
    }

    func report() {
        guard enabled else { return }
        fputs(lines.map { $0 + "\n" }.joined(), stderr)
    }
}
