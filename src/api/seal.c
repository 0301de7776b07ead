/* src/api/seal.c - biometric media encrypted at rest (encrypt_media).
 *
 * With encrypt_media on, every stored file (reference images, recordings,
 * best frames) is sealed with XChaCha20-Poly1305 under a key derived from
 * the service's master key ("media-at-rest", sign.h), with a fresh random
 * nonce per file and the media id as associated data, so a sealed file
 * moved under another id does not open. A sealed blob starts with the
 * magic "LCE1", then the 24-byte nonce, then the ciphertext and its tag;
 * anything else is stored in clear (written before encryption was turned
 * on) and is read as it is. */
#include "api_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"

#define MAGIC "LCE1"
#define HEAD (4 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES

static void key_of(const struct api_service *s, uint8_t k[SIGN_KEY_BYTES])
{
    sign_key_derive(s->master_key, "media-at-rest", k);
}

uint8_t *api_media_seal(const struct api_service *s, struct store_media *m)
{
    if (!s->c.encrypt_media)
        return NULL;
    uint8_t k[SIGN_KEY_BYTES];
    uint8_t *out = lc_malloc(HEAD + m->n + TAG);
    unsigned long long cn = 0;
    memcpy(out, MAGIC, 4);
    randombytes_buf(out + 4, HEAD - 4);
    key_of(s, k);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out + HEAD, &cn, m->data, m->n, (const uint8_t *)m->id,
        strlen(m->id), NULL, out + 4, k);
    sodium_memzero(k, sizeof k);
    m->data = out;
    m->n = HEAD + (size_t)cn;
    return out;
}

int api_media_open(const struct api_service *s, const char *id,
                   uint8_t **data, size_t *n)
{
    if (*n < HEAD + TAG || memcmp(*data, MAGIC, 4) != 0)
        return 0; /* stored in clear */
    uint8_t k[SIGN_KEY_BYTES];
    uint8_t *out = lc_malloc(*n - HEAD);
    unsigned long long mn = 0;
    key_of(s, k);
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        out, &mn, NULL, *data + HEAD, *n - HEAD, (const uint8_t *)id,
        strlen(id), *data + 4, k);
    sodium_memzero(k, sizeof k);
    if (rc != 0) {
        free(out);
        return LC_ECHECKSUM;
    }
    free(*data);
    *data = out;
    *n = (size_t)mn;
    return 0;
}
