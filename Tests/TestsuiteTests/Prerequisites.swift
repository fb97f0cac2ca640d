import Testing

/// Missing tools or kernel support: a visible skip on a developer machine, a failure in
/// CI (CI=true), where .ci/run installs everything.
enum Prerequisites {
    /// True when `reason` is nil. Otherwise reports the skip (or the CI failure) and returns false.
    static func satisfied(_ reason: String?, what: String) -> Bool {
        guard let reason = reason else { return true }
        if Environment.isCI {
            Issue.record("prerequisite missing in CI (CI=true): \(what): \(reason)")
        } else {
            skip("\(what): \(reason)")
        }
        return false
    }

    /// Prints `SKIP: ...` and records a known issue, so the run's summary counts it
    /// ("passed with N known issues") instead of hiding it among the passes.
    static func skip(_ message: String) {
        print("SKIP: \(message)")
        withKnownIssue("SKIP: \(message)") { Issue.record("SKIP: \(message)") }
    }
}
