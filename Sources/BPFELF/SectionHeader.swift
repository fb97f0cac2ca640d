/// One Elf64_Shdr.
struct SectionHeader {
    var name: UInt32 = 0
    var type: UInt32 = ELF.shtNull
    var flags: UInt64 = 0
    var offset: UInt64 = 0
    var size: UInt64 = 0
    var link: UInt32 = 0
    var info: UInt32 = 0
    var alignment: UInt64 = 0
    var entrySize: UInt64 = 0

    func write(to w: inout ByteWriter) {
        w.u32(name); w.u32(type); w.u64(flags); w.u64(0 /* sh_addr */); w.u64(offset); w.u64(size)
        w.u32(link); w.u32(info); w.u64(alignment); w.u64(entrySize)
    }
}
