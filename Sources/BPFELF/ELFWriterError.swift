/// Errors in an object description. They come from the driver, never from
/// user input directly, but the writer reports them instead of crashing.
public enum ELFWriterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A symbol is defined in a section that the object does not have.
    case unknownSection(symbol: String, section: String)
    /// A relocation names neither a symbol nor a section.
    case unknownRelocationSymbol(section: String, symbol: String)
    /// A relocation patches bytes outside its section.
    case relocationOutOfRange(section: String, offset: UInt64, size: UInt64)
    /// Two sections share one name (symbols and relocations could not tell them apart).
    case duplicateSection(String)
    /// More sections than an ELF section index can address without extensions.
    case tooManySections(Int)

    public var description: String {
        switch self {
        case let .unknownSection(symbol, section):
            return "symbol '\(symbol)' names unknown section '\(section)'"
        case let .unknownRelocationSymbol(section, symbol):
            return "relocation in '\(section)' against unknown symbol '\(symbol)'"
        case let .relocationOutOfRange(section, offset, size):
            return "relocation at offset \(offset) is outside section '\(section)' of size \(size)"
        case let .duplicateSection(name):
            return "section '\(name)' appears twice"
        case let .tooManySections(n):
            return "\(n) sections exceed the ELF section index range"
        }
    }
}
