// bpfrun: loads a BPF object through libbpf into the running kernel, optionally
// runs one program with BPF_PROG_TEST_RUN, and prints one JSON object:
//   {"load":"ok"|"error","error":..,"log":..,"programs":[..],"runs":[..],"maps":{..},"skipped_maps":[..]}
// Used by the testsuite (Tests/TestsuiteTests) and the benchmark (bpfcc-bench).
//
//   bpfrun OBJ [--prog NAME] [--input HEX]... [--ctx HEX]... [--repeat N] [--btf TARGET_BTF]
// The JSON also carries the loader's own pid, tgid and comm: BPF_PROG_TEST_RUN of
// a raw_tp program runs in this process, so CO-RE tests can check what they read.
#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static char logbuf[1 << 20];
static size_t loglen;

static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (level == LIBBPF_DEBUG) return 0;
    if (loglen < sizeof(logbuf) - 1) {
        int n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
        if (n > 0) loglen += (size_t)n < sizeof(logbuf) - loglen ? (size_t)n : sizeof(logbuf) - loglen - 1;
    }
    return 0;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c == '\n') printf("\\n");
        else if (c == '\t') printf("\\t");
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static void hex(const unsigned char *p, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
    putchar('"');
}

static int unhex(const char *s, unsigned char *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        int v;
        if (*s >= '0' && *s <= '9') v = *s - '0';
        else if (*s >= 'a' && *s <= 'f') v = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F') v = *s - 'A' + 10;
        else continue;
        if (hi < 0) hi = v;
        else { if (n >= cap) return -1; out[n++] = (unsigned char)(hi << 4 | v); hi = -1; }
    }
    return (int)n;
}

static int runnable(enum bpf_prog_type t)
{
    return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SCHED_ACT ||
           t == BPF_PROG_TYPE_SOCKET_FILTER || t == BPF_PROG_TYPE_RAW_TRACEPOINT;
}

static int cmp_entries(const void *a, const void *b, size_t ks)
{
    return memcmp(a, b, ks);
}

static size_t g_ks;
static int cmp_qsort(const void *a, const void *b) { return cmp_entries(*(void *const *)a, *(void *const *)b, g_ks); }

static void dump_map(struct bpf_map *m, int *first)
{
    enum bpf_map_type t = bpf_map__type(m);
    int fd = bpf_map__fd(m);
    unsigned ks = bpf_map__key_size(m), vs = bpf_map__value_size(m), max = bpf_map__max_entries(m);
    int percpu = t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
    int ncpu = percpu ? libbpf_num_possible_cpus() : 1;
    size_t vtotal = percpu ? ((vs + 7) / 8 * 8) * (size_t)ncpu : vs;
    unsigned char *val = calloc(1, vtotal + 8);
    void **keys = calloc(max + 1, sizeof(void *));
    size_t nkeys = 0;
    if (t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY) {
        for (unsigned i = 0; i < max && nkeys < max; i++) {
            keys[nkeys] = calloc(1, ks < 4 ? 4 : ks);
            memcpy(keys[nkeys], &i, 4);
            nkeys++;
        }
    } else {
        unsigned char *cur = NULL, *next = calloc(1, ks);
        while (nkeys < max && bpf_map_get_next_key(fd, cur, next) == 0) {
            keys[nkeys] = malloc(ks);
            memcpy(keys[nkeys], next, ks);
            cur = keys[nkeys];
            nkeys++;
        }
        free(next);
        g_ks = ks;
        qsort(keys, nkeys, sizeof(void *), cmp_qsort);
    }
    if (!*first) putchar(',');
    *first = 0;
    json_string(bpf_map__name(m));
    printf(":[");
    for (size_t i = 0; i < nkeys; i++) {
        memset(val, 0, vtotal);
        if (bpf_map_lookup_elem(fd, keys[i], val)) continue;
        printf(i ? ",[" : "[");
        hex(keys[i], ks);
        putchar(',');
        if (percpu) {
            /* Which CPU ran the program is not part of the result: sum the slots
             * word by word (little-endian u64 words, as counters are). */
            size_t slot = (vs + 7) / 8 * 8;
            for (int c = 1; c < ncpu; c++)
                for (size_t w = 0; w + 8 <= slot; w += 8) {
                    unsigned long long a, b;
                    memcpy(&a, val + w, 8);
                    memcpy(&b, val + (size_t)c * slot + w, 8);
                    a += b;
                    memcpy(val + w, &a, 8);
                }
            hex(val, vs);
        } else {
            hex(val, vtotal);
        }
        putchar(']');
        free(keys[i]);
    }
    putchar(']');
    free(keys);
    free(val);
}

int main(int argc, char **argv)
{
    const char *path = NULL, *progname = NULL, *btf_path = NULL;
    const char *inputs[64], *ctxs[64];
    int ninputs = 0, nctx = 0, repeat = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--prog") && i + 1 < argc) progname = argv[++i];
        else if (!strcmp(argv[i], "--input") && i + 1 < argc && ninputs < 64) inputs[ninputs++] = argv[++i];
        else if (!strcmp(argv[i], "--ctx") && i + 1 < argc && nctx < 64) ctxs[nctx++] = argv[++i];
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--btf") && i + 1 < argc) btf_path = argv[++i];
        else path = argv[i];
    }
    if (!path) { fprintf(stderr, "usage: bpfrun OBJ [--prog NAME] [--input HEX]... [--ctx HEX]... [--repeat N]\n"); return 2; }
    struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };
    setrlimit(RLIMIT_MEMLOCK, &r);
    libbpf_set_print(capture);

    LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = btf_path);
    struct bpf_object *obj = bpf_object__open_file(path, &open_opts);
    if (!obj) {
        printf("{\"load\":\"error\",\"error\":\"open failed: %s\",\"log\":", strerror(errno));
        json_string(logbuf);
        printf("}\n");
        return 0;
    }
    int err = bpf_object__load(obj);
    if (err) {
        printf("{\"load\":\"error\",\"error\":\"load failed: %s\",\"log\":", strerror(-err));
        json_string(logbuf);
        printf("}\n");
        bpf_object__close(obj);
        return 0;
    }
    char comm[17] = "";
    prctl(PR_GET_NAME, comm, 0, 0, 0);
    printf("{\"load\":\"ok\",\"pid\":%ld,\"tgid\":%d,\"comm\":", (long)syscall(SYS_gettid), getpid());
    json_string(comm);
    printf(",\"programs\":[");
    struct bpf_program *p, *chosen = NULL;
    int first = 1;
    bpf_object__for_each_program(p, obj) {
        struct bpf_prog_info info;
        __u32 len = sizeof(info);
        memset(&info, 0, sizeof(info));
        bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len);
        if (!first) putchar(',');
        first = 0;
        printf("{\"name\":");
        json_string(bpf_program__name(p));
        printf(",\"section\":");
        json_string(bpf_program__section_name(p));
        printf(",\"insns\":%zu,\"verified_insns\":%u}", bpf_program__insn_cnt(p), info.verified_insns);
        if (progname ? !strcmp(progname, bpf_program__name(p)) : (!chosen && runnable(bpf_program__type(p)))) chosen = p;
    }
    printf("],\"runs\":[");
    int nruns = ninputs > nctx ? ninputs : nctx;
    static unsigned char in[65536], out[65536], ctx[4096];
    for (int i = 0; chosen && i < nruns; i++) {
        LIBBPF_OPTS(bpf_test_run_opts, o);
        int n = 0, c = 0;
        int raw_tp = bpf_program__type(chosen) == BPF_PROG_TYPE_RAW_TRACEPOINT;
        if (i < ninputs) { n = unhex(inputs[i], in, sizeof(in)); o.data_in = in; o.data_size_in = n; o.data_out = out; o.data_size_out = sizeof(out); }
        if (i < nctx) { c = unhex(ctxs[i], ctx, sizeof(ctx)); o.ctx_in = ctx; o.ctx_size_in = c; }
        if (!raw_tp) o.repeat = repeat;
        int e = bpf_prog_test_run_opts(bpf_program__fd(chosen), &o);
        printf(i ? ",{" : "{");
        if (e) printf("\"error\":\"%s\"", strerror(errno));
        else {
            printf("\"retval\":%u,\"duration_ns\":%u,\"data\":", o.retval, o.duration);
            hex(out, i < ninputs ? o.data_size_out : 0);
        }
        putchar('}');
    }
    printf("],\"maps\":{");
    struct bpf_map *m;
    first = 1;
    char skipped[4096] = "";
    bpf_object__for_each_map(m, obj) {
        enum bpf_map_type t = bpf_map__type(m);
        int dumpable = t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_HASH || t == BPF_MAP_TYPE_LRU_HASH ||
                       t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
        if (!dumpable || bpf_map__fd(m) < 0) {
            size_t l = strlen(skipped);
            snprintf(skipped + l, sizeof(skipped) - l, "%s\"%s\"", l ? "," : "", bpf_map__name(m));
            continue;
        }
        dump_map(m, &first);
    }
    printf("},\"skipped_maps\":[%s]}\n", skipped);
    bpf_object__close(obj);
    return 0;
}
