import Foundation
import Testing
@testable import BPFDriver

/// `#line` renames and renumbers the lines after it, in diagnostics (libclang's and ours)
/// and in .BTF.ext line info, as clang reports them (generated sources point back at
/// their origin so).
extension DriverEndToEndTests {
    func compileWithLineDirective(_ body: String) throws -> (status: Int32, stderr: String, object: [UInt8]?) {
        let dir = NSTemporaryDirectory() + "line-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = dir + "/gen_out.c"
        try """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        char LICENSE[] SEC("license") = "GPL";
        #line 200 "template.bpf.c"
        SEC("xdp") int f(struct xdp_md *c)
        {
        \(body)
        }
        """.write(toFile: src, atomically: true, encoding: .utf8)
        var err = ""
        let status = Driver.run(arguments: ["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "--no-parse-cache",
                                            "-c", src, "-o", dir + "/x.o"], stdout: { _ in }, stderr: { err += $0 })
        return (status, err, FileManager.default.contents(atPath: dir + "/x.o").map { [UInt8]($0) })
    }

    @Test func lineDirectivesRenameDiagnosticsAndLineInfo() throws {
        let parseError = try compileWithLineDirective("\treturn undeclared_thing;")
        #expect(parseError.status != 0)
        #expect(parseError.stderr.contains("template.bpf.c:202:9: error: use of undeclared identifier 'undeclared_thing'"), "\(parseError.stderr)")
        let ourError = try compileWithLineDirective("\tfloat x = 1.0f;\n\treturn 2;")
        #expect(ourError.status != 0)
        #expect(ourError.stderr.contains("template.bpf.c:202:"), "\(ourError.stderr)")
        let ok = try compileWithLineDirective("\tint v = c->ingress_ifindex;\n\treturn v + 2;")
        #expect(ok.status == 0, "\(ok.stderr)")
        let btf = String(decoding: ok.object ?? [], as: UTF8.self)
        #expect(btf.contains("template.bpf.c") && !btf.contains("gen_out.c"), "the line info names the file #line gives")
    }
}
