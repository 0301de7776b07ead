/* src/nn/pb.h - a minimal protobuf wire-format reader (nn-private).
 *
 * Just enough to walk ONNX files: varints, 32/64-bit fixed fields and
 * length-delimited fields. A reader keeps one sticky error, like SQLite's
 * pParse->rc: after the first malformed byte every call is a no-op that
 * returns zero, so parsers read straight down and check pb->err once.
 */
#ifndef LC_NN_PB_H
#define LC_NN_PB_H

#include <stddef.h>
#include <stdint.h>

struct pb {
    const uint8_t *p, *end;
    int err; /* 0 or LC_EFORMAT */
};

enum pb_wire { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

/* A reader over [p, p+n). */
static inline struct pb pb_init(const uint8_t *p, size_t n)
{
    struct pb r = {p, p + n, 0};
    return r;
}

/* Read the next field key; returns 0 at the end (or on error), else 1 and
 * stores the field number and wire type. */
int pb_next(struct pb *r, uint32_t *field, enum pb_wire *wire);
uint64_t pb_varint(struct pb *r);
uint32_t pb_fixed32(struct pb *r);
uint64_t pb_fixed64(struct pb *r);
/* A length-delimited field as a sub-reader (bytes stay in the buffer). */
struct pb pb_sub(struct pb *r);
/* Skip a field of the given wire type. */
void pb_skip(struct pb *r, enum pb_wire wire);
/* Copy a length-delimited string into a new NUL-terminated buffer. */
char *pb_string(struct pb *r);

#endif
