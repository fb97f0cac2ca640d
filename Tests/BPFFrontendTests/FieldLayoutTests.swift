import Testing
import Foundation
import CClang
import TestSupport
@testable import BPFFrontend

/// `FieldLayout` lays plain records out itself: wherever it gives offsets, they must be
/// libclang's, and it must decline the records whose layout is not the plain one.
@Suite struct FieldLayoutTests {
    struct Layout { var name: String; var plain: [Int]?; var clang: [Int] }

    /// Every defined struct and union of a file (nested ones too), with the plain layout's
    /// offsets and libclang's.
    func layouts(_ path: String, _ args: [String] = []) throws -> [Layout] {
        let index = try #require(clang_createIndex(0, 0))
        defer { clang_disposeIndex(index) }
        let cargs = (["-target", "bpf"] + args).map { strdup($0) }
        defer { cargs.forEach { free($0) } }
        var argv = cargs.map { UnsafePointer<CChar>($0) }
        var tuOut: CXTranslationUnit? = nil
        let err = clang_parseTranslationUnit2(index, path, &argv, Int32(argv.count), nil, 0, 0, &tuOut)
        let tu = try #require(err == CXError_Success ? tuOut : nil)
        defer { clang_disposeTranslationUnit(tu) }
        var records: [CXCursor] = []
        withUnsafeMutablePointer(to: &records) { ptr in
            _ = clang_visitChildren(clang_getTranslationUnitCursor(tu), { c, _, data in
                if (c.kind == CXCursor_StructDecl || c.kind == CXCursor_UnionDecl) && clang_isCursorDefinition(c) != 0 {
                    data!.assumingMemoryBound(to: [CXCursor].self).pointee.append(c)
                }
                return CXChildVisit_Recurse
            }, ptr)
        }
        return records.compactMap { r in
            let t = clang_getCursorType(r)
            let size = Int(clang_Type_getSizeOf(t)), align = Int(clang_Type_getAlignOf(t))
            guard size >= 0, align > 0 else { return nil }
            let fs = fields(of: t).map(FieldLayout.Field.init)
            return Layout(name: string(clang_getTypeSpelling(t)),
                          plain: FieldLayout.plainOffsets(of: fs, isUnion: r.kind == CXCursor_UnionDecl, recordSize: size, recordAlignment: align),
                          clang: fs.map { Int(clang_Cursor_getOffsetOfField($0.cursor)) })
        }
    }

    @Test func plainRecordsAreLaidOutAsClangDoesAndOthersAreDeclined() throws {
        let path = Tool.tempFile(Array("""
            struct plain_mixed { char a; int b; char c; long d; short e; };
            struct plain_flexible { int n; char tail; long items[]; };
            struct plain_nested { char a; struct plain_mixed m; char b; union { int x; char y[3]; }; char z; };
            struct plain_bits { char a; unsigned int f : 3, g : 30; char b; unsigned long h : 7; int : 0; char c; };
            struct plain_unnamed_bits { char a; long : 4; char b; };
            union plain_union { char a; long b; struct { int c : 5; } s; };
            struct plain_empty { };
            typedef unsigned long long aligned_u64 __attribute__((aligned(8)));
            struct plain_typedef_aligned { int a; aligned_u64 b; };
            struct plain_packed_bytes { char a; char b[3]; } __attribute__((packed));
            struct packed_record { char a; int b; short c; } __attribute__((packed));
            struct aligned_record { char a; int b; } __attribute__((aligned(16)));
            struct aligned_field { char a; int b __attribute__((aligned(16))); char c; };
            #pragma pack(push, 2)
            struct pragma_packed { char a; int b; char c; long d; };
            #pragma pack(pop)
            struct ms_bits { int a : 1; char b; long c; } __attribute__((ms_struct));
            struct plain_bits_then_field { int a : 1; char b; long c; };
            struct wrapper { struct packed_record p; char x; struct pragma_packed q; };
            """.utf8), suffix: ".c")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let all = try layouts(path)
        let byName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for l in all where l.plain != nil {
            #expect(l.plain == l.clang, "\(l.name): plain layout \(l.plain!) but clang \(l.clang)")
        }
        for name in ["plain_mixed", "plain_flexible", "plain_nested", "plain_bits", "plain_unnamed_bits", "plain_union",
                     "plain_empty", "plain_typedef_aligned", "plain_packed_bytes", "plain_bits_then_field", "wrapper"] {
            let l = try #require(byName["struct \(name)"] ?? byName["union \(name)"], "no record \(name)")
            #expect(l.plain != nil, "\(name) was not laid out as a plain record")
        }
        for name in ["packed_record", "aligned_record", "aligned_field", "pragma_packed"] {
            let l = try #require(byName["struct \(name)"], "no record \(name)")
            #expect(l.plain == nil, "\(name) was taken for a plain record")
        }
    }

    /// Every record of the running kernel's vmlinux.h.
    @Test func vmlinuxRecordsAreLaidOutAsClangDoes() throws {
        let bpftool = ["/usr/sbin/bpftool", "/usr/bin/bpftool", "/usr/local/sbin/bpftool"].first(where: Tool.exists)
        guard let bpftool, FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux") else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("bpftool or /sys/kernel/btf/vmlinux missing in CI") }
            else { print("SKIP: vmlinux.h layout test needs bpftool and /sys/kernel/btf/vmlinux") }
            return
        }
        let dump = try Tool.run(bpftool, ["btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c"])
        try #require(dump.status == 0, "bpftool failed: \(dump.err)")
        let path = Tool.tempFile(Array(dump.out.utf8), suffix: ".h")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let all = try layouts(path, ["-x", "c"])
        try #require(all.count > 1000, "only \(all.count) records in vmlinux.h")
        let plain = all.filter { $0.plain != nil }
        for l in plain where l.plain != l.clang {
            Issue.record("\(l.name): plain layout \(l.plain!) but clang \(l.clang)")
        }
        #expect(plain.count * 10 > all.count * 9, "only \(plain.count) of \(all.count) records laid out as plain ones")
    }
}
