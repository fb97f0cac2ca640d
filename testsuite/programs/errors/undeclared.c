// @expect-error use of undeclared identifier 'nope'
int prog(void *ctx)
{
    return nope;
}
