import Testing
import Foundation

/// Every program under testsuite/programs, one test case each: compiled by swift-bpfcc
/// and clang-22, read by llvm tools, loaded into this kernel, run with
/// BPF_PROG_TEST_RUN, compared (testsuite/README.md). Programs of the errors group
/// only check swift-bpfcc's diagnostic.
@Suite struct DifferentialTests {
    @Test(arguments: Environment.programs)
    func program(_ p: TestProgram) throws {
        guard let compiler = Environment.compiler else {
            Issue.record(Comment(rawValue: Environment.compilerNotFound))
            return
        }
        let needsKernel = p.expectError == nil && p.group != "errors"
        if needsKernel {
            guard Prerequisites.satisfied(Environment.missingPrerequisite, what: p.relativePath) else { return }
        }
        if Environment.knownFailures.contains(p.stem) {
            withKnownIssue("known failure (testsuite/known-failures.txt): \(p.stem)") {
                try DifferentialCheck.run(p, compiler: compiler)
            }
        } else {
            try DifferentialCheck.run(p, compiler: compiler)
        }
    }

    /// The known-failures list names only programs that exist.
    @Test func knownFailuresNameExistingPrograms() {
        let stems = Set(Environment.allPrograms.map(\.stem))
        for s in Environment.knownFailures.sorted() where !stems.contains(s) {
            Issue.record("testsuite/known-failures.txt lists '\(s)', which is no program under testsuite/programs")
        }
    }

    /// File stems are unique across groups (the object name is the stem).
    @Test func stemsAreUnique() {
        var seen: [String: String] = [:]
        for p in Environment.allPrograms {
            if let other = seen[p.stem] { Issue.record("\(p.relativePath) and \(other) have the same stem") }
            seen[p.stem] = p.relativePath
        }
        #expect(!Environment.allPrograms.isEmpty, "no programs found under \(Environment.programsDir)")
    }
}
