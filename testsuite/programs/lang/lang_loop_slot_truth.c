// A local that `memcpy` fills from the context stays in a stack slot; a truth value of it
// and of a global knob, `v >= (g_on && port)`, stored into every element of an array in
// a loop is the same each round: it is computed once before the loop, its branches with
// it, as clang's are. Left in the loop, the verifier splits every round on the knob and
// on the local, the array different on each side (575,850 instructions walked before,
// 442 now).
// @ctx 0000000000000000000000000000000000000000000000000000000000000000
// @ctx ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00
// @ctx 123456787654321000112233445566778899aabbccddeeff0102030405060708
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

int g_on;

SEC("raw_tp/sys_enter")
int loop_slot_truth(__u64 *ctx)
{
	__u64 word;
	__u16 port;
	__u8 b = ctx[2];
	__s16 marks[16] = {};

	__builtin_memcpy(&word, (char *)ctx + 3, sizeof(word));
	__builtin_memcpy(&port, (char *)ctx + 5, sizeof(port));
	for (int i = 0; i < 16; i++)
		marks[i] = (({ __s8 v = b; v *= (unsigned long)word; v; }) >= (g_on && port));
	ts_put(&results, 0, marks[b & 15] + (marks[(b >> 4) & 15] << 1));
	ts_put(&results, 1, word ^ port);
	ts_put(&results, 2, marks[15]);
	return 0;
}

char _license[] SEC("license") = "GPL";
