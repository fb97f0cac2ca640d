import Foundation
import TestSupport

/// This target's tool paths on top of TestSupport.Tool.
extension Tool {

    static let readelf = "/usr/bin/llvm-readelf-22"
    static let objdump = "/usr/bin/llvm-objdump-22"
    static let bpftool = "/usr/sbin/bpftool"
    static let clang = "/usr/bin/clang-22"
}

/// One row of `llvm-readelf -S`.
struct SectionRow: Equatable {
    var index: Int
    var name: String
    var type: String
    var offset: Int
    var size: Int
    var entrySize: Int
    var flags: String
    var link: Int
    var info: Int
    var alignment: Int

    static func parse(_ text: String) -> [SectionRow] {
        var rows: [SectionRow] = []
        for line in text.split(separator: "\n") {
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]"), open < close,
                  let index = Int(line[line.index(after: open)..<close].trimmingCharacters(in: .whitespaces)) else { continue }
            let f = line[line.index(after: close)...].split(separator: " ").map(String.init)
            let hasFlags = f.count == 10
            guard f.count == 9 || hasFlags else {
                if index == 0 { continue }          // the null section has an empty name
                continue
            }
            rows.append(SectionRow(index: index, name: f[0], type: f[1], offset: Int(f[3], radix: 16) ?? -1,
                                   size: Int(f[4], radix: 16) ?? -1, entrySize: Int(f[5], radix: 16) ?? -1,
                                   flags: hasFlags ? f[6] : "", link: Int(f[hasFlags ? 7 : 6]) ?? -1,
                                   info: Int(f[hasFlags ? 8 : 7]) ?? -1, alignment: Int(f[hasFlags ? 9 : 8]) ?? -1))
        }
        return rows
    }
}
