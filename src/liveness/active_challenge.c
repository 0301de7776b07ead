/* src/liveness/active_challenge.c - the challenge of an active session:
 * prompt names, a fresh random challenge, and the compact text form
 * ("turn_left@1.50-4.00,blink@4.00-6.50,digits=4821@9.00-14.00") that the
 * CLI takes and the store keeps. */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/active.h"

/* Windows beyond an hour are no recording this service accepts. */
#define TIME_MAX 3600.0

static const char *const names[] = {"turn_left", "turn_right", "blink", "digits"};
#define NKINDS ((int)(sizeof names / sizeof names[0]))

const char *active_prompt_name(enum active_prompt_kind k)
{
    return (int)k >= 0 && (int)k < NKINDS ? names[k] : "unknown";
}

int active_prompt_parse(const char *s)
{
    for (int i = 0; s != NULL && i < NKINDS; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

void active_challenge_random(struct active_challenge *ch, double lead_in,
                             double move, double speak)
{
    enum active_prompt_kind order[3] = {ACTIVE_TURN_LEFT, ACTIVE_TURN_RIGHT,
                                        ACTIVE_BLINK};
    if (sodium_init() < 0)
        abort(); /* no randomness: nothing safe to do */
    /* Fisher-Yates with unbiased draws. */
    for (int i = 2; i > 0; i--) {
        int j = (int)randombytes_uniform((uint32_t)i + 1);
        enum active_prompt_kind t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    memset(ch, 0, sizeof *ch);
    double t = lead_in;
    for (int i = 0; i < 3; i++, t += move)
        ch->p[ch->nprompts++] = (struct active_prompt){order[i], t, t + move};
    ch->p[ch->nprompts++] = (struct active_prompt){ACTIVE_DIGITS_SPOKEN, t, t + speak};
    for (int i = 0; i < ACTIVE_DIGITS; i++)
        ch->digits[i] = (char)('0' + randombytes_uniform(10));
    ch->digits[ACTIVE_DIGITS] = 0;
}

/* A time of the compact form: a plain decimal number within 0..TIME_MAX.
 * Returns the character after it, or NULL. */
static const char *parse_time(const char *s, double *out)
{
    if (!(*s >= '0' && *s <= '9'))
        return NULL; /* no sign, no "inf", no "nan", no blanks */
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v > TIME_MAX)
        return NULL;
    *out = v;
    return end;
}

int active_challenge_parse(struct active_challenge *ch, const char *s,
                           struct lc_diag *d)
{
    memset(ch, 0, sizeof *ch);
    if (s == NULL || *s == 0)
        return lc_diag_set(d, LC_EINVAL, "the challenge is empty");
    while (*s) {
        if (ch->nprompts == ACTIVE_PROMPTS_MAX)
            return lc_diag_set(d, LC_EINVAL, "more than %d prompts",
                               ACTIVE_PROMPTS_MAX);
        char name[16];
        size_t k = strcspn(s, "=@,");
        if (k == 0 || k >= sizeof name)
            return lc_diag_set(d, LC_EINVAL, "prompt %d has no kind",
                               ch->nprompts + 1);
        memcpy(name, s, k);
        name[k] = 0;
        int kind = active_prompt_parse(name);
        if (kind < 0)
            return lc_diag_set(d, LC_EINVAL, "unknown prompt '%s'", name);
        s += k;
        if (kind == ACTIVE_DIGITS_SPOKEN) {
            if (ch->digits[0])
                return lc_diag_set(d, LC_EINVAL, "more than one digits prompt");
            size_t nd = *s == '=' ? strspn(s + 1, "0123456789") : 0;
            if (nd == 0 || nd > SPEECH_DIGITS_MAX)
                return lc_diag_set(d, LC_EINVAL,
                                   "digits needs =DIGITS (1 to %d of 0-9)",
                                   SPEECH_DIGITS_MAX);
            memcpy(ch->digits, s + 1, nd);
            ch->digits[nd] = 0;
            s += 1 + nd;
        }
        struct active_prompt *p = &ch->p[ch->nprompts];
        p->kind = (enum active_prompt_kind)kind;
        if (*s != '@' || (s = parse_time(s + 1, &p->start)) == NULL ||
            *s != '-' || (s = parse_time(s + 1, &p->end)) == NULL)
            return lc_diag_set(d, LC_EINVAL, "%s needs @START-END in seconds",
                               name);
        if (!(p->end > p->start))
            return lc_diag_set(d, LC_EINVAL, "%s ends before it starts", name);
        ch->nprompts++;
        if (*s == ',' && s[1] != 0)
            s++;
        else if (*s != 0)
            return lc_diag_set(d, LC_EINVAL, "unexpected '%c' after %s", *s,
                               name);
    }
    return 0;
}

size_t active_challenge_format(const struct active_challenge *ch, char *out,
                               size_t n)
{
    size_t len = 0;
    if (n == 0)
        return 0;
    out[0] = 0;
    for (int i = 0; i < ch->nprompts; i++) {
        const struct active_prompt *p = &ch->p[i];
        int k = snprintf(out + len, n - len, "%s%s%s%s@%.2f-%.2f",
                         i ? "," : "", active_prompt_name(p->kind),
                         p->kind == ACTIVE_DIGITS_SPOKEN ? "=" : "",
                         p->kind == ACTIVE_DIGITS_SPOKEN ? ch->digits : "",
                         p->start, p->end);
        if (k < 0 || (size_t)k >= n - len) {
            out[0] = 0;
            return 0;
        }
        len += (size_t)k;
    }
    return len;
}
