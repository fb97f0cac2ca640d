import Foundation
import Testing
@testable import BPFDriver

extension DriverEndToEndTests {
    /// Runs `body` with a scratch directory holding `source` (as `name`.c) compiled by the
    /// driver at -O2 -g to `name`.o, and a bpffs path to pin a program at; both are
    /// removed afterwards. Prints a SKIP line (and runs nothing) without root, bpftool or
    /// a bpffs.
    func withLoadableObject(_ name: String, source: String, _ body: (_ dir: String, _ object: String, _ pin: String) throws -> Void) throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/bpftool"),
              FileManager.default.fileExists(atPath: "/sys/fs/bpf") else {
            print("SKIP: needs root, bpftool and /sys/fs/bpf"); return
        }
        let dir = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let pin = "/sys/fs/bpf/swiftbpfcc_\(name)_\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir); unlink(pin) }
        let src = dir + "/\(name).c"
        try source.write(toFile: src, atomically: true, encoding: .utf8)
        var o = try OptionParser.parse(["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", src])
        o.parseCache = false
        let object = try Driver.compile(file: src, options: o).object
        #expect(FileManager.default.createFile(atPath: dir + "/\(name).o", contents: Data(object)))
        try body(dir, dir + "/\(name).o", pin)
    }
}
