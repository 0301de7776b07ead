/* src/core/sign.c - the master key file, derived keys, HMAC signatures
 * and capture tokens (see sign.h). */
#include "livecheck/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int read_key(const char *path, uint8_t key[SIGN_KEY_BYTES],
                    struct lc_diag *d)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? LC_ENOTFOUND
                               : lc_diag_set(d, LC_EIO, "%s: %s", path,
                                             strerror(errno));
    uint8_t buf[SIGN_KEY_BYTES + 1];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n != SIGN_KEY_BYTES) {
        sodium_memzero(buf, sizeof buf);
        return lc_diag_set(d, LC_EFORMAT,
                           "%s: a key file holds exactly %d bytes", path,
                           SIGN_KEY_BYTES);
    }
    memcpy(key, buf, SIGN_KEY_BYTES);
    sodium_memzero(buf, sizeof buf);
    return 0;
}

int sign_key_load(const char *path, bool create, uint8_t key[SIGN_KEY_BYTES],
                  struct lc_diag *d)
{
    if (sodium_init() < 0)
        return lc_diag_set(d, LC_EIO, "libsodium: cannot initialise");
    int rc = read_key(path, key, d);
    if (rc != LC_ENOTFOUND)
        return rc;
    if (!create)
        return lc_diag_set(d, LC_EIO, "%s: no such key file", path);
    /* Write a fresh key under a temporary name and link it into place, so
     * two processes starting at once agree on one key. */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return lc_diag_set(d, LC_EIO, "%s: %s", tmp, strerror(errno));
    uint8_t fresh[SIGN_KEY_BYTES];
    randombytes_buf(fresh, sizeof fresh);
    bool ok = write(fd, fresh, sizeof fresh) == (ssize_t)sizeof fresh &&
              fsync(fd) == 0;
    close(fd);
    sodium_memzero(fresh, sizeof fresh);
    if (ok && link(tmp, path) != 0 && errno != EEXIST)
        ok = false;
    unlink(tmp);
    if (!ok)
        return lc_diag_set(d, LC_EIO, "%s: cannot write the key file",
                           path);
    return read_key(path, key, d);
}

void sign_key_derive(const uint8_t master[SIGN_KEY_BYTES],
                     const char *purpose, uint8_t out[SIGN_KEY_BYTES])
{
    crypto_generichash(out, SIGN_KEY_BYTES, (const uint8_t *)purpose,
                       strlen(purpose), master, SIGN_KEY_BYTES);
}

void sign_hex(const uint8_t *p, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, p, n);
}

void sign_hmac_hex(const uint8_t key[SIGN_KEY_BYTES], const void *msg,
                   size_t n, char out[SIGN_HEX_MAX])
{
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, SIGN_KEY_BYTES);
    crypto_auth_hmacsha256_update(&st, msg, n);
    crypto_auth_hmacsha256_final(&st, mac);
    sign_hex(mac, sizeof mac, out);
}

bool sign_hmac_check(const uint8_t key[SIGN_KEY_BYTES], const void *msg,
                     size_t n, const char *hex)
{
    char want[SIGN_HEX_MAX];
    sign_hmac_hex(key, msg, n, want);
    if (hex == NULL || strlen(hex) != SIGN_HEX_MAX - 1)
        return false;
    return sodium_memcmp(want, hex, SIGN_HEX_MAX - 1) == 0;
}

void sign_token_new(char out[SIGN_TOKEN_MAX])
{
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, SIGN_TOKEN_MAX, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void sign_token_hash(const char *token, char out[SIGN_HEX_MAX])
{
    uint8_t h[32];
    crypto_generichash(h, sizeof h, (const uint8_t *)token, strlen(token),
                       NULL, 0);
    sign_hex(h, sizeof h, out);
}
