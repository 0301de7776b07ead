/* src/core/outcome.c - the rows of LC_OUTCOME_MAP as lookup functions. */
#include "livecheck/outcome.h"

struct row {
    const char *key;
    int status;
    const char *code;
    const char *msg;
};

static const struct row rows[LC_OUTCOME_COUNT] = {
    [LC_OUTCOME_OK] = {"success", 200, "S00000", "Success."},
#define X(name, key, status, code, msg) \
    [LC_OUTCOME_##name] = {key, status, code, msg},
    LC_OUTCOME_MAP(X)
#undef X
};

static const struct row *row_of(enum lc_outcome o)
{
    if ((unsigned)o >= LC_OUTCOME_COUNT)
        o = LC_OUTCOME_INTERNAL;
    return &rows[o];
}

const char *lc_outcome_key(enum lc_outcome o) { return row_of(o)->key; }
int lc_outcome_status(enum lc_outcome o) { return row_of(o)->status; }
const char *lc_outcome_code(enum lc_outcome o) { return row_of(o)->code; }
const char *lc_outcome_message(enum lc_outcome o) { return row_of(o)->msg; }
