/* GNU C forms written inside macros in a header (written for this project): each
 * expression or designated initializer such a macro makes starts in this file and ends
 * in the file using the macro. */
#ifndef TS_MACRO_FORMS_H
#define TS_MACRO_FORMS_H

#define TS_OR_DEFAULT(x, d) ((x) ?: (d))
#define TS_TABLE_INIT { [0 ... 2] = 7, [5] = 9, [3] = 1 }
#define TS_FIELD_INIT(v) { .hi = (v), .lo = (v) + 1 }
#define TS_KIND(x) _Generic((x), __u8: 1, __u16: 2, __u32: 4, default: 8)

#endif
