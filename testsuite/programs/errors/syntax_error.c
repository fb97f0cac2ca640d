// @expect-error expected ';'
#include <linux/bpf.h>
int prog(struct xdp_md *ctx)
{
    return 0
}
