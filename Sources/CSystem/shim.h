// C library declarations the Glibc module leaves out.
#include <malloc.h>
