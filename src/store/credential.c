/* src/store/credential.c - API credentials: making them, hashing their
 * secrets and checking a request's headers against them.
 *
 * client_id is "lc_" and 24 hex digits; each secret is 32 random bytes as
 * 64 hex digits. Secrets are stored as "b2$<salt>$<hash>": BLAKE2b-256
 * keyed with a per-secret random 16-byte salt. A password hash
 * (crypto_pwhash) protects low-entropy secrets against guessing; ours have
 * 256 bits, so guessing is hopeless either way, and the keyed hash keeps a
 * check at microseconds and no extra memory per request. Comparison is
 * sodium_memcmp (constant time), and an unknown client_id is checked
 * against a dummy record so that it costs what a known one costs.
 */
#include "livecheck/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SALT_BYTES 16
#define HASH_BYTES 32

static void hex(const unsigned char *b, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, b, n);
}

static void keyed(const char *secret, const unsigned char salt[SALT_BYTES],
                  unsigned char h[HASH_BYTES])
{
    crypto_generichash(h, HASH_BYTES, (const unsigned char *)secret,
                       strlen(secret), salt, SALT_BYTES);
}

void store_secret_hash(const char *secret, char out[STORE_HASH_MAX])
{
    unsigned char salt[SALT_BYTES], h[HASH_BYTES];
    char hs[2 * SALT_BYTES + 1], hh[2 * HASH_BYTES + 1];
    randombytes_buf(salt, sizeof salt);
    keyed(secret, salt, h);
    hex(salt, sizeof salt, hs);
    hex(h, sizeof h, hh);
    snprintf(out, STORE_HASH_MAX, "b2$%s$%s", hs, hh);
}

bool store_secret_verify(const char *secret, const char *record)
{
    unsigned char salt[SALT_BYTES], want[HASH_BYTES], got[HASH_BYTES];
    size_t n;
    if (strncmp(record, "b2$", 3) != 0 || strlen(record) != 3 + 32 + 1 + 64 ||
        record[35] != '$')
        return false;
    if (sodium_hex2bin(salt, sizeof salt, record + 3, 32, NULL, &n, NULL) !=
            0 ||
        n != sizeof salt)
        return false;
    if (sodium_hex2bin(want, sizeof want, record + 36, 64, NULL, &n, NULL) !=
            0 ||
        n != sizeof want)
        return false;
    keyed(secret, salt, got);
    return sodium_memcmp(got, want, HASH_BYTES) == 0;
}

static void random_hex(char *out, size_t bytes)
{
    unsigned char b[32];
    randombytes_buf(b, bytes);
    hex(b, bytes, out);
}

int store_credential_create(struct store *s, const char *modules,
                            const char *label, struct store_secrets *out)
{
    struct store_credential c = {0};
    char id[25];
    if (sodium_init() < 0)
        return LC_EIO;
    if (modules == NULL || modules[0] == 0)
        modules = "*";
    if (strlen(modules) >= sizeof c.modules ||
        (label != NULL && strlen(label) >= sizeof c.label))
        return LC_EINVAL;
    random_hex(id, 12);
    snprintf(out->client_id, sizeof out->client_id, "lc_%s", id);
    random_hex(out->client_secret, 32);
    random_hex(out->module_secret, 32);
    snprintf(c.client_id, sizeof c.client_id, "%s", out->client_id);
    store_secret_hash(out->client_secret, c.secret_hash);
    store_secret_hash(out->module_secret, c.module_hash);
    snprintf(c.modules, sizeof c.modules, "%s", modules);
    snprintf(c.label, sizeof c.label, "%s", label ? label : "");
    c.created_ms = store_now_ms();
    return s->ops->credential_put(s, &c);
}

/* Is `module` in the comma-separated list (or is the list "*")? */
static bool module_granted(const char *list, const char *module)
{
    size_t n = strlen(module);
    if (strcmp(list, "*") == 0)
        return true;
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, module, n) == 0)
            return true;
        if (e == NULL)
            break;
        p = e + 1;
    }
    return false;
}

int store_credential_check(struct store *s, const char *client_id,
                           const char *client_secret,
                           const char *module_secret, const char *module,
                           enum store_auth *verdict)
{
    /* A well-formed record no secret matches: the unknown-client path
     * hashes exactly as the known one does. */
    static const char dummy[] =
        "b2$00000000000000000000000000000000$"
        "0000000000000000000000000000000000000000000000000000000000000000";
    struct store_credential c;
    *verdict = STORE_AUTH_INVALID;
    int rc = strlen(client_id) < STORE_ID_MAX
                 ? s->ops->credential_get(s, client_id, &c)
                 : LC_ENOTFOUND;
    if (rc < 0 && rc != LC_ENOTFOUND)
        return rc;
    bool known = rc == 0 && c.revoked_ms == 0;
    bool secret_ok = store_secret_verify(client_secret,
                                         known ? c.secret_hash : dummy);
    bool module_ok = store_secret_verify(module_secret,
                                         known ? c.module_hash : dummy);
    if (!known || !secret_ok)
        return 0;
    *verdict = module_ok && module_granted(c.modules, module)
                   ? STORE_AUTH_OK
                   : STORE_AUTH_MODULE;
    return 0;
}
