import Synchronization

// The IR's instructions hold no reference-counted values (strings, arrays): copying one,
// which every pass does for every instruction it looks at, copies its bytes and nothing
// else. What an instruction names is kept here instead: strings and register lists are
// numbered in process-wide tables (equal values get one number, so equality and hashing
// of the numbers are those of the values), and a call's operands are stored inline.

/// Values numbered for the process: equal values get one number.
final class InternTable<Value: Hashable & Sendable>: Sendable {
    private let state = Mutex<(ids: [Value: Int32], values: [Value])>(([:], []))

    func number(_ v: Value) -> Int32 {
        state.withLock { t in
            if let i = t.ids[v] { return i }
            let i = Int32(t.values.count)
            t.ids[v] = i
            t.values.append(v)
            return i
        }
    }

    func value(_ id: Int32) -> Value { state.withLock { $0.values[Int(id)] } }
}

/// Strings numbered for the process: file names, symbol names, CO-RE type names and
/// access strings.
public enum InternedStrings {
    private static let table = InternTable<String>()

    public static func id(_ s: String) -> Int32 { table.number(s) }

    public static func string(_ id: Int32) -> String { table.value(id) }
}

/// The name of a function or kernel function a call goes to.
public struct SymbolName: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    private let id: Int32
    public init(_ name: String) { id = InternedStrings.id(name) }
    public init(stringLiteral name: String) { self.init(name) }
    public var string: String { InternedStrings.string(id) }
    public var description: String { string }
}

/// A call's operands (at most five: BPF passes arguments in r1–r5), stored inline.
public struct OperandList: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    public static let capacity = 5
    private var values: (Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0)
    private var registerMask: UInt8 = 0
    private var length: UInt8 = 0

    /// `operands` must hold at most `capacity` (lowering rejects calls with more).
    public init(_ operands: [Operand]) {
        for o in operands {
            precondition(Int(length) < Self.capacity, "a call has at most \(Self.capacity) operands")
            let i = Int(length)
            let v: Int64
            switch o {
            case .reg(let r): v = Int64(r.id); registerMask |= 1 << UInt8(i)
            case .imm(let k): v = k
            }
            withUnsafeMutableBytes(of: &values) { $0.storeBytes(of: v, toByteOffset: i * 8, as: Int64.self) }
            length += 1
        }
    }
    public init(arrayLiteral operands: Operand...) { self.init(operands) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(length) }
    public subscript(i: Int) -> Operand {
        precondition(i >= 0 && i < Int(length), "operand index out of range")
        let v = withUnsafeBytes(of: values) { $0.load(fromByteOffset: i * 8, as: Int64.self) }
        return registerMask & (1 << UInt8(i)) != 0 ? .reg(VReg(Int(v))) : .imm(v)
    }

    public static func == (a: OperandList, b: OperandList) -> Bool { a.elementsEqual(b) }
    public func hash(into h: inout Hasher) {
        h.combine(length)
        for o in self { h.combine(o) }
    }
    public var description: String { "[" + map(\.description).joined(separator: ", ") + "]" }
}

/// The registers an inline assembly statement reads or writes, numbered in a process-wide table.
public struct RegisterList: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    private static let table = InternTable<[VReg]>()
    private let id: Int32

    public init(_ list: [VReg]) { id = Self.table.number(list) }
    public init(arrayLiteral registers: VReg...) { self.init(registers) }

    /// The registers as an array.
    public var array: [VReg] { Self.table.value(id) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { array.count }
    public subscript(i: Int) -> VReg { array[i] }
    public var description: String { array.description }
}
