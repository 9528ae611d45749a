// HMAC-SHA1 for STUN MESSAGE-INTEGRITY with the key's pads hashed once per key, not once per message:
// a check then costs two SHA-1 compressions of its own bytes and no allocation. OpenSSL's EVP HMAC would
// allocate a context per message, and swift-crypto's rebuilds the key each time.
#ifndef CMUXDIGEST_H
#define CMUXDIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct mm_hmac_sha1_key mm_hmac_sha1_key;

/// The key's inner and outer hash states (RFC 2104). NULL when out of memory.
mm_hmac_sha1_key *mm_hmac_sha1_key_new(const uint8_t *secret, size_t length);
void mm_hmac_sha1_key_free(mm_hmac_sha1_key *key);
/// HMAC-SHA1 over the first `end` bytes of a STUN message, as if the header's length field (bytes 2 and 3)
/// read `length_field` (RFC 8489, section 14.5), into `out` (20 bytes). `end` is at least 4.
void mm_hmac_sha1_stun(const mm_hmac_sha1_key *key, const uint8_t *message, size_t end, uint16_t length_field, uint8_t out[20]);

#endif
