#if canImport(Glibc)
import Glibc
#endif

/// A file that locations give by byte offset (`SourceLocation(file:offset:in:)`): its
/// line starts are counted from its bytes the first time a line or column is asked of
/// one of them.
///
/// The converter gives places in headers this way. libclang reads a header and indexes
/// its lines at the first line asked of it (all 170 KB of libbpf's bpf_helper_defs.h,
/// in every program that calls a helper), and most places in headers are never printed:
/// a helper's declaration and its `(void *) N`, the records a program uses. Places in
/// headers are read when a diagnostic is printed there or a line of a header's function
/// goes into the line info.
public final class SourceFile: @unchecked Sendable {
    /// The path the file is read from (libclang's name of it).
    public let path: String
    /// The file's lines once counted (nil when the file cannot be read).
    private var lines: LineTable?
    private var counted = false
    /// Compiles on several threads may share a location (tests do): a lock guards both.
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    public init(path: String) {
        self.path = path
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// The line and column of a byte offset (see `LineTable`); (0, 0) when the file
    /// cannot be read.
    public func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if !counted {
            lines = System.readFile(path).map(LineTable.init)
            counted = true
        }
        return lines?.lineAndColumn(of: offset) ?? (0, 0)
    }
}

/// Where each line of a file's text starts and ends, by clang's rule: a line ends at a
/// line feed, at a carriage return, or at the pair "\r\n". The converter counts lines and
/// columns with it; the driver takes lines' text by it (diagnostics, line info), so that
/// the text of line N is the line clang numbers N.
public struct LineTable: Sendable {
    /// Where each line starts.
    public private(set) var starts: [Int] = [0]
    /// Where each line's end (its line feed or carriage return, or the end of the text) is.
    private var ends: [Int] = []

    public init(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 10 || b == 13 {
                ends.append(i)
                if b == 13 && i + 1 < n && bytes[i + 1] == 10 { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        ends.append(n)
    }

    public init(_ bytes: [UInt8]) { self = bytes.withUnsafeBytes(LineTable.init) }

    /// The line and column, both from 1, of a byte offset: the column counts bytes from
    /// the line's start, as clang's do.
    public func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        // The last line starting at or before `offset`.
        var lo = 0, hi = starts.count
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid }
        }
        return (lo + 1, offset - starts[lo] + 1)
    }

    /// The bytes of line `n` (from 1), without its line end; nil when there is no line `n`.
    public func range(ofLine n: Int) -> Range<Int>? {
        guard n >= 1, n <= starts.count else { return nil }
        return starts[n - 1]..<ends[n - 1]
    }
}
