import BPFIR
import BPFFrontend

public struct LoweringOptions: Hashable, Sendable {
    public var cpu: Int
    public var optimize: Bool        // -O1 and above: inline static functions
    public var bigEndian: Bool
    public var core: Bool            // emit CO-RE relocations for preserve_access_index accesses
    /// Locals of scopes closed before take the slots those scopes' locals had (see
    /// `FunctionBuilder.newSlot`); off, every local has its own and only the frame layout
    /// shares them, by where they are in use (the driver's second try at a frame over the
    /// limit).
    public var sharesScopeSlots: Bool
    public init(cpu: Int = 3, optimize: Bool = true, bigEndian: Bool = false, core: Bool = true, sharesScopeSlots: Bool = true) {
        self.cpu = cpu; self.optimize = optimize; self.bigEndian = bigEndian; self.core = core
        self.sharesScopeSlots = sharesScopeSlots
    }
}

/// A variable placed in a data section.
public struct DataSymbol: Hashable, Sendable {
    public var name: String
    public var offset: Int
    public var size: Int
    public var type: CType
    public var isStatic: Bool
    public var isWeak: Bool
    public var isHidden: Bool
    public var btfDeclTags: [String]
}

/// A pointer-sized word in a data section that the loader fills with a symbol's address.
public struct DataRelocation: Hashable, Sendable {
    public var offset: Int
    public var symbol: String
    public var bytes: Int             // 8: R_BPF_64_ABS64, 4: R_BPF_64_ABS32
}

public enum DataSectionKind: Hashable, Sendable {
    case data, readOnly, bss
}

public struct DataSection: Hashable, Sendable {
    public var name: String
    public var kind: DataSectionKind
    public var alignment: Int
    public var bytes: [UInt8]         // empty for bss
    public var size: Int
    public var symbols: [DataSymbol]
    public var relocations: [DataRelocation]
}

/// An `extern` variable or function resolved by the loader (.kconfig, .ksyms, kfuncs).
public struct ExternSymbol: Hashable, Sendable {
    public var name: String
    public var section: String        // ".kconfig" or ".ksyms"
    public var type: CType
    public var isFunction: Bool
    public var isWeak: Bool
}

/// Lowering's output: IR functions plus the data the object carries.
public struct LoweredProgram: Sendable {
    public var module: Module
    public var dataSections: [DataSection]
    public var externs: [ExternSymbol]
    /// The C declaration of each emitted function (for BTF FUNC records).
    public var functionDecls: [String: FunctionDecl]
    /// Root types of CO-RE relocations: `CoreReloc.typeID` indexes this table until
    /// the BTF stage replaces it with the BTF id of the type.
    public var coreTypes: [CType]
}
