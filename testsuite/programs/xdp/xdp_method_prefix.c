// Constant-string prefix tests after a data-bounded scan: a request line "METHOD /path"
// in the payload; the method is matched against string literals by an inlined bounded
// compare loop (whose exit the literal's NUL decides), and the first path segment is
// found by a counted loop that packet bounds and a separator can leave early.
// @input 000000000000000000000000080047455420 2f6170692f7573657273 20485454502f312e310d0a
// @input 00000000000000000000000008005055542f 2f6170692f7573657273 20485454502f312e300d0a
// @input 000000000000000000000000080050555420 2f7374617469632f612e6a7320485454502f312e31
// @input 000000000000000000000000080044454c455445202f 6170692f78 0d0a0000000000000000000000
// @input 0000000000000000000000000800474554
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

static __always_inline int starts_with(const char *s, int avail, const char *lit)
{
	for (int i = 0; i < 16; i++) {
		if (!lit[i])
			return i;
		if (i >= avail || s[i] != lit[i])
			return -1;
	}
	return -1;
}

SEC("xdp")
int method_prefix(struct xdp_md *ctx)
{
	char *data = (void *)(long)ctx->data;
	char *end = (void *)(long)ctx->data_end;
	char *line = data + 14;
	if (line + 4 > end)
		return XDP_ABORTED;
	int avail = end - line;
	if (avail > 40)
		avail = 40;
	/* Up to 8 bytes of method, each read only when inside the packet. */
	int mlen = 0;
	for (int i = 0; i < 8; i++) {
		if (line + i + 1 > end)
			break;
		if (line[i] == ' ')
			break;
		mlen++;
	}
	int method = 0, n;
	if ((n = starts_with(line, mlen, "GET")) == mlen)
		method = 1;
	else if ((n = starts_with(line, mlen, "PUT")) == mlen)
		method = 2;
	else if ((n = starts_with(line, mlen, "DELETE")) == mlen)
		method = 3;
	ts_put(&results, 0, method);
	ts_put(&results, 1, (__u64)(__s64)n);
	ts_put(&results, 2, mlen);
	char *path = line + mlen + 1;
	if (path + 16 > end)
		return XDP_PASS;
	int api = starts_with(path, 16, "/api/");
	ts_put(&results, 3, (__u64)(__s64)api);
	/* The first path segment's length: '/' or ' ' ends it. */
	int seg = 0;
	for (int i = 1; i < 16; i++) {
		if (path[i] == '/' || path[i] == ' ')
			break;
		seg++;
	}
	ts_put(&results, 4, seg);
	ts_add(&results, 5, 1);
	return method == 0 ? XDP_DROP : XDP_PASS + (api > 0);
}

char LICENSE[] SEC("license") = "GPL";
