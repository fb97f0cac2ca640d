import Foundation
import TestSupport

/// This target's helpers on top of TestSupport.Tool (bpftool, gcc).
extension Tool {

    /// A C helper that loads raw BTF (or an ELF's .BTF) with BPF_BTF_LOAD and prints the
    /// verifier log on failure. Built with gcc and libbpf; nil when that is impossible.
    static func btfLoader() -> String? {
        guard exists("/usr/bin/gcc"), FileManager.default.fileExists(atPath: "/usr/include/bpf/bpf.h") else { return nil }
        let dir = NSTemporaryDirectory() + "btftest-loader-\(getpid())"
        let bin = dir + "/btfload"
        if exists(bin) { return bin }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        Tool.removeAtExit(dir)
        let src = dir + "/btfload-\(UUID().uuidString).c"
        let code = """
        #include <stdio.h>
        #include <string.h>
        #include <unistd.h>
        #include <bpf/bpf.h>
        static unsigned char buf[1 << 24];
        static char log[1 << 20];
        int main(int argc, char **argv) {
          if (argc != 2) return 2;
          FILE *f = fopen(argv[1], "rb"); if (!f) return 2;
          size_t n = fread(buf, 1, sizeof buf, f); fclose(f);
          LIBBPF_OPTS(bpf_btf_load_opts, opts, .log_buf = log, .log_size = sizeof log, .log_level = 1);
          int fd = bpf_btf_load(buf, n, &opts);
          if (fd < 0) { fprintf(stderr, "BPF_BTF_LOAD: %s\\n%s\\n", strerror(-fd), log); return 1; }
          close(fd); puts("ok"); return 0;
        }
        """
        _ = FileManager.default.createFile(atPath: src, contents: Data(code.utf8))
        let tmpBin = bin + "-\(UUID().uuidString)"
        guard let r = try? run("/usr/bin/gcc", ["-O1", "-o", tmpBin, src, "-lbpf"]), r.status == 0 else { return nil }
        _ = rename(tmpBin, bin)
        return bin
    }

    /// Whether this process may load BTF/programs into the kernel.
    static var canUseBPF: Bool { getuid() == 0 && FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux") }
}
