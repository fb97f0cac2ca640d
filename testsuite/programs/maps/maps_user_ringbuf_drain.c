// BPF_MAP_TYPE_USER_RINGBUF drained with bpf_user_ringbuf_drain and a static callback using
// bpf_dynptr_read (empty in test runs: the drain count is 0), next to a kernel RINGBUF that
// the program writes with bpf_ringbuf_output.
// @ctx 0100000000000000
// @ctx 0200000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} from_user SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} to_user SEC(".maps");

struct cmd {
	__u32 op;
	__u32 arg;
};

__u64 drained_sum;

static long on_cmd(struct bpf_dynptr *dp, void *ctx)
{
	struct cmd c;
	if (bpf_dynptr_read(&c, sizeof(c), dp, 0, 0))
		return 1;
	*(__u64 *)ctx += c.op * 1000 + c.arg;
	return 0;
}

SEC("raw_tp/sys_enter")
int user_ringbuf_drain(__u64 *ctx)
{
	__u64 sum = 0;
	long n = bpf_user_ringbuf_drain(&from_user, on_cmd, &sum, 0);
	drained_sum += sum;
	__u64 rec[2] = { ctx[0], (__u64)n };
	long r = bpf_ringbuf_output(&to_user, rec, sizeof(rec), BPF_RB_NO_WAKEUP);
	return (int)n * 10 + (r == 0);
}

char LICENSE[] SEC("license") = "GPL";
