/* include/livecheck/sign.h - the service's one secret and what is signed
 * with it.
 *
 * livecheckd keeps a 32-byte random master key in a file (mode 0600,
 * made on first start; every node of a cluster shares the file). Keys for
 * each use are derived from it (BLAKE2b keyed with the master, over a
 * purpose string), so a leaked media-URL key says nothing about a
 * client's callback key:
 *
 *   "media"              signs the image URLs of session results
 *   "callback:CLIENT_ID" signs the callbacks sent for that client; the
 *                        operator gives it to the client once
 *                        (`livecheck credentials callback-key`)
 *
 * Signatures are HMAC-SHA256 in lower-case hex and are checked in
 * constant time. Capture tokens are not signed: they are 256 random bits,
 * stored only as their BLAKE2b-256 hash (sign_token_new, sign_token_hash).
 */
#ifndef LC_SIGN_H
#define LC_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "livecheck/err.h"

#define SIGN_KEY_BYTES 32
#define SIGN_HEX_MAX 65   /* 64 hex + NUL */
#define SIGN_TOKEN_MAX 44 /* 43 base64url characters + NUL */

/* Read the master key from path; when the file is missing and create is
 * true, make one (0600) atomically. LC_EIO/LC_EFORMAT with d filled. */
int sign_key_load(const char *path, bool create,
                  uint8_t key[SIGN_KEY_BYTES], struct lc_diag *d);
/* The key for purpose, derived from master. */
void sign_key_derive(const uint8_t master[SIGN_KEY_BYTES],
                     const char *purpose, uint8_t out[SIGN_KEY_BYTES]);
/* HMAC-SHA256 of msg under key, as hex. */
void sign_hmac_hex(const uint8_t key[SIGN_KEY_BYTES], const void *msg,
                   size_t n, char out[SIGN_HEX_MAX]);
/* Whether hex is msg's HMAC under key (constant time in the contents). */
bool sign_hmac_check(const uint8_t key[SIGN_KEY_BYTES], const void *msg,
                     size_t n, const char *hex);
/* Bytes as lower-case hex into out (2n+1 bytes). */
void sign_hex(const uint8_t *p, size_t n, char *out);
/* A new capture token (256 random bits, base64url without padding). */
void sign_token_new(char out[SIGN_TOKEN_MAX]);
/* The hex BLAKE2b-256 under which a token is stored and looked up. */
void sign_token_hash(const char *token, char out[SIGN_HEX_MAX]);

#endif
