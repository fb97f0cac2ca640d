import BPFIR
import BPFFrontend

/// Where a C object lives while its function is lowered.
enum Storage {
    case register(VReg)                 // a scalar local whose address is never taken
    case memory(MemoryRef)              // stack slot, global, or through a pointer
    /// The induction variable of a fully unrolled loop: reads are the constant; when its
    /// address is taken (`lookup(&map, &i)`), the memory holds the same value.
    case constant(Int64, MemoryRef?)
    /// A scalar member reached through a relocatable (CO-RE) access: loads and stores
    /// carry the relocation on their offset field (`*(u64 *)(ctx + off)`), as the verifier
    /// requires for context pointers; taking its address yields the ALU form.
    case coreField(base: VReg, offset: Int, reloc: CoreReloc, alignment: Int)

    /// The memory behind an lvalue, if it has any.
    var memoryRef: MemoryRef? {
        switch self {
        case .memory(let m): return m
        case .constant(_, let m): return m
        case .register, .coreField: return nil
        }
    }
}

/// A memory location: base address plus a constant byte offset.
struct MemoryRef {
    var base: Address
    var offset: Int
    /// Known alignment of base + offset (for choosing chunk sizes of copies).
    var alignment: Int

    /// The place `delta` bytes further (address arithmetic wraps, as the target's does:
    /// C leaves an out-of-object offset undefined, and it is the verifier's to refuse).
    func adding(_ delta: Int) -> MemoryRef {
        MemoryRef(base: base, offset: offset &+ delta, alignment: gcdAlignment(alignment, delta))
    }
}

func gcdAlignment(_ a: Int, _ delta: Int) -> Int {
    if delta == 0 { return a }
    var x = a
    while x > 1 && delta % x != 0 { x /= 2 }
    return max(1, x)
}

/// An lvalue: a storage place with the C type stored there.
struct LValue {
    var storage: Storage
    var type: CType
    /// For bitfields: bit offset within the storage unit at `storage` and the width.
    var bitfield: (bitOffset: Int, width: Int, unitBytes: Int)?
}

/// The result of evaluating an expression.
enum RValue {
    case scalar(Operand)               // integer or pointer value
    case aggregate(MemoryRef)          // struct/union/array value, by address
    case none                          // void

    var operand: Operand? { if case .scalar(let o) = self { return o }; return nil }
}
