// The functions link_main.c calls: global, not inlined, in an object of their own.
__attribute__((noinline)) int mix(int a, int b)
{
	return (a * 33) ^ (b + 7);
}

__attribute__((noinline)) unsigned long long scaled(unsigned long long v, int shift)
{
	return (v << (shift & 15)) + 1;
}
