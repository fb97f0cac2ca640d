// Pointer arithmetic and comparisons, arrays on the stack, pointer differences,
// pointers to pointers, array parameters of inlined functions, enums and typedefs.
// @input 000000000000000000000000080001020304050607080910111213141516
// @input 0000000000000000000000000800ff0000000000000000000000000000000a
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef enum { RED = 1, GREEN = 4, BLUE = 9 } color_t;
typedef unsigned char byte;

static __always_inline int sum_bytes(const byte *b, int n)
{
    int s = 0;
    for (int i = 0; i < n && i < 8; i++)
        s += b[i];
    return s;
}

static __always_inline void swap(int *a, int *b) { int t = *a; *a = *b; *b = t; }

SEC("xdp")
int pointers(struct xdp_md *ctx)
{
    byte *data = (void *)(long)ctx->data;
    byte *end = (void *)(long)ctx->data_end;
    if (data + 30 > end)
        return XDP_ABORTED;
    byte local[16];
    for (int i = 0; i < 16; i++)
        local[i] = data[14 + i];
    byte *q = local + 4;
    byte *r = &local[12];
    long dist = r - q;
    int arr[4] = { local[0], local[1], local[2], local[3] };
    int *pa = arr, **ppa = &pa;
    swap(&arr[0], &arr[3]);
    (*ppa)[1] += 100;
    color_t c = (local[15] & 1) ? BLUE : GREEN;
    int total = sum_bytes(q, (int)dist) + arr[0] * 2 + arr[1] + c + (q < r) + (int)(end - data);
    return total % 4;
}

char LICENSE[] SEC("license") = "GPL";
