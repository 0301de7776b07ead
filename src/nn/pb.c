/* src/nn/pb.c - protobuf wire reader (see pb.h). */
#include "nn/pb.h"

#include <stdlib.h>
#include <string.h>

#include "livecheck/err.h"
#include "livecheck/mem.h"

static void fail(struct pb *r)
{
    r->err = LC_EFORMAT;
    r->p = r->end;
}

uint64_t pb_varint(struct pb *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            fail(r);
            return 0;
        }
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    fail(r);
    return 0;
}

uint32_t pb_fixed32(struct pb *r)
{
    uint32_t v;
    if (r->end - r->p < 4) {
        fail(r);
        return 0;
    }
    memcpy(&v, r->p, 4); /* wire format is little-endian, as is x86/arm */
    r->p += 4;
    return v;
}

uint64_t pb_fixed64(struct pb *r)
{
    uint64_t v;
    if (r->end - r->p < 8) {
        fail(r);
        return 0;
    }
    memcpy(&v, r->p, 8);
    r->p += 8;
    return v;
}

struct pb pb_sub(struct pb *r)
{
    uint64_t n = pb_varint(r);
    struct pb s = {r->p, r->p, r->err};
    if (r->err == 0 && n > (uint64_t)(r->end - r->p)) {
        fail(r);
        s.err = r->err;
        return s;
    }
    s.end = r->p + n;
    r->p += n;
    return s;
}

void pb_skip(struct pb *r, enum pb_wire wire)
{
    switch (wire) {
    case PB_VARINT:
        pb_varint(r);
        break;
    case PB_I64:
        pb_fixed64(r);
        break;
    case PB_LEN:
        pb_sub(r);
        break;
    case PB_I32:
        pb_fixed32(r);
        break;
    default:
        fail(r);
    }
}

int pb_next(struct pb *r, uint32_t *field, enum pb_wire *wire)
{
    if (r->err || r->p >= r->end)
        return 0;
    uint64_t key = pb_varint(r);
    *field = (uint32_t)(key >> 3);
    *wire = (enum pb_wire)(key & 7);
    if (r->err || *field == 0) {
        fail(r);
        return 0;
    }
    return 1;
}

char *pb_string(struct pb *r)
{
    struct pb s = pb_sub(r);
    size_t n = (size_t)(s.end - s.p);
    char *str = lc_malloc(n + 1);
    memcpy(str, s.p, n);
    str[n] = 0;
    return str;
}
