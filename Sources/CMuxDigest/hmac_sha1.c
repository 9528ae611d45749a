// SHA-1's low-level interface is deprecated in OpenSSL 3.0 but kept; it is the one whose state is a plain
// struct that can be copied without allocating.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "CMuxDigest.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

struct mm_hmac_sha1_key {
    SHA_CTX inner;
    SHA_CTX outer;
};

mm_hmac_sha1_key *mm_hmac_sha1_key_new(const uint8_t *secret, size_t length) {
    mm_hmac_sha1_key *key = calloc(1, sizeof *key);
    if (key == NULL) return NULL;
    uint8_t block[SHA_CBLOCK] = {0};
    if (length > SHA_CBLOCK) {
        SHA1(secret, length, block);
    } else if (length > 0) {
        memcpy(block, secret, length);
    }
    uint8_t pad[SHA_CBLOCK];
    for (size_t i = 0; i < SHA_CBLOCK; i++) pad[i] = block[i] ^ 0x36;
    SHA1_Init(&key->inner);
    SHA1_Update(&key->inner, pad, sizeof pad);
    for (size_t i = 0; i < SHA_CBLOCK; i++) pad[i] = block[i] ^ 0x5c;
    SHA1_Init(&key->outer);
    SHA1_Update(&key->outer, pad, sizeof pad);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    return key;
}

void mm_hmac_sha1_key_free(mm_hmac_sha1_key *key) {
    if (key == NULL) return;
    OPENSSL_cleanse(key, sizeof *key);
    free(key);
}

void mm_hmac_sha1_stun(const mm_hmac_sha1_key *key, const uint8_t *message, size_t end, uint16_t length_field, uint8_t out[20]) {
    SHA_CTX context = key->inner;
    uint8_t length[2] = {(uint8_t)(length_field >> 8), (uint8_t)length_field};
    SHA1_Update(&context, message, 2);
    SHA1_Update(&context, length, 2);
    SHA1_Update(&context, message + 4, end - 4);
    uint8_t inner[SHA_DIGEST_LENGTH];
    SHA1_Final(inner, &context);
    context = key->outer;
    SHA1_Update(&context, inner, sizeof inner);
    SHA1_Final(out, &context);
}
