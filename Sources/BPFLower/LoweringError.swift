import BPFFrontend

/// Everything lowering can reject, always with the source location of the construct.
public struct LoweringError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public init(_ location: SourceLocation, _ message: String) { self.location = location; self.message = message }
    public var description: String { "\(location): error: \(message)" }
    public var diagnostic: Diagnostic { Diagnostic(.error, location, message) }
}
