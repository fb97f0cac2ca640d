// bpfrun: the testsuite's loader. Opens a BPF object with libbpf, loads it into the
// running kernel, runs one program with BPF_PROG_TEST_RUN, dumps the maps, and prints
// ONE JSON object on stdout (also when loading fails):
//
//   {"load":"ok"|"error", "error":"...", "log":"...libbpf messages and verifier log...",
//    "pid":N, "tgid":N, "comm":"...",
//    "programs":[{"name":..,"section":..,"type":..,"insns":N,"verified_insns":N}],
//    "run_prog":"name"|null,
//    "runs":[{"retval":N,"duration_ns":N,"data":"hex"} | {"error":"..."}],
//    "maps":{"name":[["keyhex","valuehex"],...]}, "skipped_maps":["name",...]}
//
//   bpfrun OBJ [--prog NAME] [--input HEX]... [--ctx HEX]... [--repeat N]
//              [--log-level N] [--btf TARGET_BTF] [--timeout SECONDS]
//
// Build: gcc -O2 -o bpfrun bpfrun.c -lbpf -lelf -lz   (libbpf-dev >= 1.0)
//
// Runs: the i-th run uses the i-th --input as data_in and the i-th --ctx as ctx_in.
// The program run is --prog, else the first program of a test-runnable type (XDP, TC,
// socket filter, raw_tp). Maps: arrays in index order, hash maps sorted by key bytes;
// per-CPU values are summed over all possible CPUs as little-endian u64 words (which
// CPU ran the program is not part of the result). Types without a meaningful dump
// (prog arrays, ring buffers, map-in-map, queues, tries, ...) are listed in
// "skipped_maps". The pid/tgid/comm of this process are reported because raw_tp test
// runs execute in it (CO-RE tests check what a program read about its task).
// bpfrun never hangs: an alarm (default 60 s) prints an error object and exits.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_RUNS 256
#define MAX_DUMP_ENTRIES (1u << 20)
#define LOG_CAP (4u << 20)

/* ---- captured libbpf output (verifier log included), keeping the tail ---- */

static char *logbuf;
static size_t loglen;
static int want_load_log; /* --log-level > 0: keep successful loads' verifier logs too */

static void log_append(const char *s, size_t n)
{
    if (!logbuf) logbuf = calloc(1, LOG_CAP + 1);
    if (!logbuf) return;
    if (n > LOG_CAP) { s += n - LOG_CAP; n = LOG_CAP; }
    if (loglen + n > LOG_CAP) {
        /* Keep the end: the verifier's reason for rejecting is in its last lines. */
        size_t drop = loglen + n - LOG_CAP;
        memmove(logbuf, logbuf + drop, loglen - drop);
        loglen -= drop;
    }
    memcpy(logbuf + loglen, s, n);
    loglen += n;
    logbuf[loglen] = 0;
}

static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    if (n < 0) return 0;
    if (level != LIBBPF_DEBUG || (want_load_log && strstr(msg, "PROG LOAD LOG")))
        log_append(msg, (size_t)n);
    free(msg);
    return 0;
}

/* ---- JSON output, buffered so a timeout can still print a well-formed object ---- */

static FILE *J;

static void json_string(const char *s)
{
    fputc('"', J);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(J, "\\%c", c);
        else if (c == '\n') fputs("\\n", J);
        else if (c == '\t') fputs("\\t", J);
        else if (c < 0x20 || c >= 0x7f) fprintf(J, "\\u%04x", c); /* never invalid UTF-8 */
        else fputc(c, J);
    }
    fputc('"', J);
}

static void json_hex(const unsigned char *p, size_t n)
{
    fputc('"', J);
    for (size_t i = 0; i < n; i++) fprintf(J, "%02x", p[i]);
    fputc('"', J);
}

/* Hex digits, spaces ignored. Returns the byte count, or -1 (odd digits, bad char, too long). */
static long unhex(const char *s, unsigned char *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        int v;
        if (*s >= '0' && *s <= '9') v = *s - '0';
        else if (*s >= 'a' && *s <= 'f') v = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F') v = *s - 'A' + 10;
        else if (*s == ' ' || *s == ':' || *s == '\t') continue;
        else return -1;
        if (hi < 0) { hi = v; continue; }
        if (n >= cap) return -1;
        out[n++] = (unsigned char)(hi << 4 | v);
        hi = -1;
    }
    return hi < 0 ? (long)n : -1;
}

/* ---- timeout ---- */

static char timeout_msg[256];

static void on_alarm(int sig)
{
    (void)sig;
    ssize_t w = write(STDOUT_FILENO, timeout_msg, strlen(timeout_msg));
    (void)w;
    _exit(3);
}

/* ---- maps ---- */

static int dumpable(enum bpf_map_type t)
{
    return t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_HASH ||
           t == BPF_MAP_TYPE_LRU_HASH || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static int is_percpu(enum bpf_map_type t)
{
    return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static size_t sort_key_size;
static int cmp_keys(const void *a, const void *b)
{
    return memcmp(*(void *const *)a, *(void *const *)b, sort_key_size);
}

static void dump_map(struct bpf_map *m)
{
    enum bpf_map_type t = bpf_map__type(m);
    int fd = bpf_map__fd(m);
    size_t ks = bpf_map__key_size(m), vs = bpf_map__value_size(m);
    size_t max = bpf_map__max_entries(m);
    if (max > MAX_DUMP_ENTRIES) max = MAX_DUMP_ENTRIES;
    int ncpu = is_percpu(t) ? libbpf_num_possible_cpus() : 1;
    if (ncpu < 1) ncpu = 1;
    size_t slot = is_percpu(t) ? (vs + 7) / 8 * 8 : vs;
    unsigned char *val = calloc((size_t)ncpu, slot + 8);
    unsigned char *keys = calloc(max + 1, ks ? ks : 1);
    void **order = calloc(max + 1, sizeof(void *));
    size_t nkeys = 0;
    if (!val || !keys || !order) { fputs("[]", J); goto out; }

    if (t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY) {
        for (__u32 i = 0; i < max; i++, nkeys++) {
            memcpy(keys + nkeys * ks, &i, ks < 4 ? ks : 4);
            order[nkeys] = keys + nkeys * ks;
        }
    } else {
        void *prev = NULL;
        while (nkeys < max && bpf_map_get_next_key(fd, prev, keys + nkeys * ks) == 0) {
            order[nkeys] = prev = keys + nkeys * ks;
            nkeys++;
        }
        sort_key_size = ks;
        qsort(order, nkeys, sizeof(void *), cmp_keys);
    }

    fputc('[', J);
    int first = 1;
    for (size_t i = 0; i < nkeys; i++) {
        memset(val, 0, (size_t)ncpu * (slot + 8));
        if (bpf_map_lookup_elem(fd, order[i], val)) continue;
        for (int c = 1; c < ncpu; c++) /* per-CPU: sum the CPUs' slots word by word */
            for (size_t w = 0; w + 8 <= slot; w += 8) {
                unsigned long long a, b;
                memcpy(&a, val + w, 8);
                memcpy(&b, val + (size_t)c * slot + w, 8);
                a += b;
                memcpy(val + w, &a, 8);
            }
        fputs(first ? "[" : ",[", J);
        first = 0;
        json_hex(order[i], ks);
        fputc(',', J);
        json_hex(val, vs);
        fputc(']', J);
    }
    fputc(']', J);
out:
    free(val);
    free(keys);
    free(order);
}

/* ---- programs ---- */

static int runnable(enum bpf_prog_type t)
{
    return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SCHED_ACT ||
           t == BPF_PROG_TYPE_SOCKET_FILTER || t == BPF_PROG_TYPE_RAW_TRACEPOINT;
}

static void print_programs(struct bpf_object *obj)
{
    struct bpf_program *p;
    int first = 1;
    fputs("\"programs\":[", J);
    bpf_object__for_each_program(p, obj) {
        struct bpf_prog_info info;
        __u32 len = sizeof(info);
        memset(&info, 0, sizeof(info));
        int fd = bpf_program__fd(p);
        if (fd >= 0) bpf_obj_get_info_by_fd(fd, &info, &len);
        const char *type = libbpf_bpf_prog_type_str(bpf_program__type(p));
        fputs(first ? "{\"name\":" : ",{\"name\":", J);
        first = 0;
        json_string(bpf_program__name(p));
        fputs(",\"section\":", J);
        json_string(bpf_program__section_name(p));
        fputs(",\"type\":", J);
        json_string(type ? type : "unknown");
        fprintf(J, ",\"insns\":%zu,\"verified_insns\":%u}", bpf_program__insn_cnt(p), info.verified_insns);
    }
    fputc(']', J);
}

static void run_program(struct bpf_program *prog, char **inputs, int ninputs, char **ctxs, int nctx, int repeat)
{
    static unsigned char in[1 << 16], out[1 << 17], ctx[1 << 12];
    int raw_tp = bpf_program__type(prog) == BPF_PROG_TYPE_RAW_TRACEPOINT;
    int nruns = ninputs > nctx ? ninputs : nctx;
    fputs("\"runs\":[", J);
    for (int i = 0; i < nruns; i++) {
        LIBBPF_OPTS(bpf_test_run_opts, o);
        fputs(i ? ",{" : "{", J);
        if (i < ninputs) {
            long n = unhex(inputs[i], in, sizeof(in));
            if (n < 0) { fprintf(J, "\"error\":\"bad --input hex in run %d\"}", i + 1); continue; }
            o.data_in = in;
            o.data_size_in = (__u32)n;
            o.data_out = out;
            o.data_size_out = sizeof(out);
        }
        if (i < nctx) {
            long n = unhex(ctxs[i], ctx, sizeof(ctx));
            if (n < 0) { fprintf(J, "\"error\":\"bad --ctx hex in run %d\"}", i + 1); continue; }
            o.ctx_in = ctx;
            o.ctx_size_in = (__u32)n;
        }
        if (!raw_tp) o.repeat = repeat;
        if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o)) {
            fputs("\"error\":", J);
            json_string(strerror(errno));
        } else {
            fprintf(J, "\"retval\":%u,\"duration_ns\":%u,\"data\":", o.retval, o.duration);
            json_hex(out, i < ninputs && o.data_size_out <= sizeof(out) ? o.data_size_out : 0);
        }
        fputc('}', J);
    }
    fputc(']', J);
}

int main(int argc, char **argv)
{
    const char *path = NULL, *progname = NULL, *btf_path = NULL;
    char *inputs[MAX_RUNS], *ctxs[MAX_RUNS];
    int ninputs = 0, nctx = 0, repeat = 1, log_level = 0, timeout = 60;
    for (int i = 1; i < argc; i++) {
        int more = i + 1 < argc;
        if (!strcmp(argv[i], "--prog") && more) progname = argv[++i];
        else if (!strcmp(argv[i], "--input") && more && ninputs < MAX_RUNS) inputs[ninputs++] = argv[++i];
        else if (!strcmp(argv[i], "--ctx") && more && nctx < MAX_RUNS) ctxs[nctx++] = argv[++i];
        else if (!strcmp(argv[i], "--repeat") && more) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--log-level") && more) log_level = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--btf") && more) btf_path = argv[++i];
        else if (!strcmp(argv[i], "--timeout") && more) timeout = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !path) path = argv[i];
        else {
            fprintf(stderr, "bpfrun: unexpected argument '%s'\n"
                    "usage: bpfrun OBJ [--prog NAME] [--input HEX]... [--ctx HEX]... [--repeat N]"
                    " [--log-level N] [--btf FILE] [--timeout S]\n", argv[i]);
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: bpfrun OBJ [--prog NAME] [--input HEX]... [--ctx HEX]... [--repeat N]"
                " [--log-level N] [--btf FILE] [--timeout S]\n");
        return 2;
    }
    if (repeat < 1) repeat = 1;

    snprintf(timeout_msg, sizeof(timeout_msg),
             "{\"load\":\"error\",\"error\":\"timeout: bpfrun did not finish within %d s\"}\n", timeout);
    /* The parent may have spawned us with SIGALRM blocked (Foundation's Process does):
     * unblock it, or a long test run would never be interrupted. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &alrm, NULL);
    if (timeout > 0) alarm((unsigned)timeout);

    /* The JSON goes through a memory stream so that stdout gets one complete object. */
    char *json = NULL;
    size_t json_len = 0;
    J = open_memstream(&json, &json_len);
    if (!J) { perror("bpfrun: open_memstream"); return 1; }

    struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
    setrlimit(RLIMIT_MEMLOCK, &unlimited);
    want_load_log = log_level > 0;
    libbpf_set_print(capture);

    LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = btf_path);
    struct bpf_object *obj = bpf_object__open_file(path, &open_opts);
    if (!obj) {
        int e = errno;
        fputs("{\"load\":\"error\",\"error\":", J);
        char msg[512];
        snprintf(msg, sizeof(msg), "open failed: %s", strerror(e));
        json_string(msg);
        fputs(",\"log\":", J);
        json_string(logbuf);
        fputs(",\"programs\":[],\"runs\":[],\"maps\":{},\"skipped_maps\":[]}\n", J);
        goto done;
    }
    if (log_level > 0) {
        struct bpf_program *p;
        bpf_object__for_each_program(p, obj) bpf_program__set_log_level(p, (__u32)log_level);
    }
    int err = bpf_object__load(obj);
    fprintf(J, "{\"load\":\"%s\",\"error\":", err ? "error" : "ok");
    if (err) {
        char msg[512];
        snprintf(msg, sizeof(msg), "load failed: %s", strerror(-err));
        json_string(msg);
    } else {
        json_string("");
    }
    char comm[17] = "";
    prctl(PR_GET_NAME, comm, 0, 0, 0);
    fprintf(J, ",\"pid\":%ld,\"tgid\":%d,\"comm\":", (long)syscall(SYS_gettid), getpid());
    json_string(comm);
    fputc(',', J);
    print_programs(obj);

    struct bpf_program *p, *chosen = NULL;
    bpf_object__for_each_program(p, obj) {
        if (progname ? !strcmp(progname, bpf_program__name(p)) : runnable(bpf_program__type(p))) {
            chosen = p;
            break;
        }
    }
    fputs(",\"run_prog\":", J);
    if (chosen) json_string(bpf_program__name(chosen));
    else fputs("null", J);
    fputc(',', J);
    if (!err && chosen) run_program(chosen, inputs, ninputs, ctxs, nctx, repeat);
    else fputs("\"runs\":[]", J);

    fputs(",\"maps\":{", J);
    struct bpf_map *m;
    int first = 1;
    if (!err) {
        bpf_object__for_each_map(m, obj) {
            if (!dumpable(bpf_map__type(m)) || bpf_map__fd(m) < 0) continue;
            if (!first) fputc(',', J);
            first = 0;
            json_string(bpf_map__name(m));
            fputc(':', J);
            dump_map(m);
        }
    }
    fputs("},\"skipped_maps\":[", J);
    first = 1;
    bpf_object__for_each_map(m, obj) {
        if (err || (dumpable(bpf_map__type(m)) && bpf_map__fd(m) >= 0)) continue;
        if (!first) fputc(',', J);
        first = 0;
        json_string(bpf_map__name(m));
    }
    /* The log last: everything libbpf said, the verifier log on failure included. */
    fputs("],\"log\":", J);
    json_string(logbuf);
    fputs("}\n", J);
    bpf_object__close(obj);
done:
    fclose(J);
    alarm(0);
    fwrite(json, 1, json_len, stdout);
    free(json);
    return 0;
}
