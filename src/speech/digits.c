/* src/speech/digits.c - the spoken digits, with pocketsphinx.
 *
 * One decoder per call (the reason is in speech.h): the acoustic model is
 * read from SPEECH_MODEL_DIR, the twelve dictionary entries are added with
 * ps_add_word and the grammar is parsed from a string, so nothing is
 * written to disk and no file that came from elsewhere is in the tree.
 *
 * pocketsphinx's log goes through one process-wide FILE pointer in
 * sphinxbase. Its "-logfn" option reopens that file and closes the previous
 * one inside every ps_init, so two requests starting at once could write to
 * a FILE the other has just closed; logging is instead switched off once,
 * with err_set_logfp(NULL), and "-logfn" is never passed.
 *
 * Setting a decoder up also writes a few process-wide variables in
 * sphinxbase (the debug level, the frequency-warp parameters that the
 * mel filters are built from; helgrind shows them). Every decoder writes
 * the same values, but two writing and reading at once is still a data
 * race, so decoders are set up one at a time under init_lock (about 10 ms
 * each); decoding, the expensive part, runs in parallel.
 */
#include "livecheck/speech.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/jsgf.h>

#define RATE 16000

/* CMU phones, as the model's own dictionary spells them. */
static const char *const dict[][2] = {
    {"zero", "Z IH R OW"}, {"zero(2)", "Z IY R OW"}, {"oh", "OW"},
    {"one", "W AH N"},     {"two", "T UW"},          {"three", "TH R IY"},
    {"four", "F AO R"},    {"five", "F AY V"},       {"six", "S IH K S"},
    {"seven", "S EH V AH N"}, {"eight", "EY T"},     {"nine", "N AY N"},
};

static const char *const digit_word[10] = {"zero", "one", "two",   "three", "four",
                                           "five", "six", "seven", "eight", "nine"};

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

static void logs_off(void)
{
    err_set_logfp(NULL);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* "#JSGF V1.0; ... public <digits> = <digit> <digit> ...;" with ndigits
 * digits: the decoder can only answer with exactly that many. */
static void grammar(char *g, size_t cap, int ndigits)
{
    size_t k = (size_t)snprintf(g, cap,
                                "#JSGF V1.0;\ngrammar digits;\n"
                                "<digit> = zero | oh | one | two | three | four"
                                " | five | six | seven | eight | nine;\n"
                                "public <digits> =");
    for (int i = 0; i < ndigits && k < cap; i++)
        k += (size_t)snprintf(g + k, cap - k, " <digit>");
    if (k < cap)
        snprintf(g + k, cap - k, ";\n");
}

/* The digit a hypothesis word stands for, or -1 ("zero(2)" is zero). */
static int word_digit(const char *w, size_t len)
{
    const char *paren = memchr(w, '(', len);
    if (paren)
        len = (size_t)(paren - w);
    if (len == 2 && memcmp(w, "oh", 2) == 0)
        return 0;
    for (int i = 0; i < 10; i++)
        if (strlen(digit_word[i]) == len && memcmp(w, digit_word[i], len) == 0)
            return i;
    return -1;
}

/* Digits of hyp into out (at most ndigits). */
static int hyp_digits(const char *hyp, int ndigits, char *out)
{
    int k = 0;
    const char *p = hyp;
    while (*p && k < ndigits) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        int v = len ? word_digit(p, len) : -1;
        if (v >= 0)
            out[k++] = (char)('0' + v);
        p += len;
    }
    out[k] = '\0';
    return k;
}

static ps_decoder_t *decoder_new(int ndigits, cmd_ln_t **cfg, struct lc_diag *d)
{
    *cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", SPEECH_MODEL_DIR,
                       "-samprate", "16000", NULL);
    if (*cfg == NULL) {
        lc_diag_set(d, LC_EIO, "pocketsphinx refused its configuration");
        return NULL;
    }
    ps_decoder_t *ps = ps_init(*cfg);
    if (ps == NULL) {
        lc_diag_set(d, LC_EIO, "pocketsphinx cannot load the model in %s",
                    SPEECH_MODEL_DIR);
        return NULL;
    }
    size_t nw = sizeof dict / sizeof dict[0];
    for (size_t i = 0; i < nw; i++)
        if (ps_add_word(ps, dict[i][0], dict[i][1], i + 1 == nw) < 0) {
            lc_diag_set(d, LC_EIO, "pocketsphinx refused the word %s", dict[i][0]);
            ps_free(ps);
            return NULL;
        }
    /* ps_set_jsgf_string would do the next steps, but this version never
     * frees the parsed grammar (9 KB lost per request). */
    char g[512];
    grammar(g, sizeof g, ndigits);
    jsgf_t *jsgf = jsgf_parse_string(g, NULL);
    jsgf_rule_t *rule = jsgf ? jsgf_get_public_rule(jsgf) : NULL;
    fsg_model_t *fsg =
        rule ? jsgf_build_fsg(jsgf, rule, ps_get_logmath(ps),
                              cmd_ln_float32_r(*cfg, "-lw"))
             : NULL;
    int rc = fsg ? ps_set_fsg(ps, "digits", fsg) : -1;
    if (rc >= 0)
        rc = ps_set_search(ps, "digits");
    if (fsg)
        fsg_model_free(fsg);
    if (jsgf)
        jsgf_grammar_free(jsgf);
    if (rc < 0) {
        lc_diag_set(d, LC_EIO, "pocketsphinx refused the digits grammar");
        ps_free(ps);
        return NULL;
    }
    return ps;
}

int speech_digits_recognize(const int16_t *pcm16k_mono, size_t n, int ndigits,
                            char *out, struct speech_result *r,
                            struct lc_diag *d)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, logs_off);
    double t0 = now_ms();
    struct speech_result tmp;
    if (r == NULL)
        r = &tmp;
    memset(r, 0, sizeof *r);
    r->seconds = (double)n / RATE;
    if (out == NULL)
        return lc_diag_set(d, LC_EINVAL, "no room for the digits");
    out[0] = '\0';
    if (ndigits < 1 || ndigits > SPEECH_DIGITS_MAX)
        return lc_diag_set(d, LC_EINVAL, "%d digits asked; 1..%d are possible",
                           ndigits, SPEECH_DIGITS_MAX);
    if (pcm16k_mono == NULL || n == 0)
        return lc_diag_set(d, LC_EEMPTY, "the audio is empty");
    if (n > (size_t)SPEECH_MAX_SECONDS * RATE)
        return lc_diag_set(d, LC_ETOOBIG, "%.1f s of audio, over the %d s limit",
                           r->seconds, SPEECH_MAX_SECONDS);
    if (access(SPEECH_MODEL_DIR "/mdef", R_OK) != 0)
        return lc_diag_set(d, LC_ENOTFOUND,
                           "no acoustic model in %s (Debian package "
                           "pocketsphinx-en-us)",
                           SPEECH_MODEL_DIR);

    cmd_ln_t *cfg = NULL;
    pthread_mutex_lock(&init_lock);
    ps_decoder_t *ps = decoder_new(ndigits, &cfg, d);
    pthread_mutex_unlock(&init_lock);
    int rc = ps ? 0 : LC_EIO;
    const char *hyp = NULL;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        int32 score;
        if (ps_start_utt(ps) < 0 ||
            ps_process_raw(ps, pcm16k_mono, n, FALSE, TRUE) < 0 ||
            ps_end_utt(ps) < 0)
            rc = lc_diag_set(d, LC_EIO, "pocketsphinx failed to decode");
        else
            hyp = ps_get_hyp(ps, &score); /* owned by ps; kept from pass 2 */
    }
    if (rc == 0 && hyp != NULL) {
        snprintf(r->words, sizeof r->words, "%s", hyp);
        r->ndigits = hyp_digits(hyp, ndigits, out);
    }
    if (ps)
        ps_free(ps);
    if (cfg)
        cmd_ln_free_r(cfg);
    r->ms = now_ms() - t0;
    return rc;
}
