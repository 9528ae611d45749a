#ifndef CMUXCRYPTO_INTERNAL_H
#define CMUXCRYPTO_INTERNAL_H

#include <openssl/ssl.h>
#include <stdint.h>

struct mm_certificate {
    EVP_PKEY *key;
    X509 *cert;
};

struct mm_dtls_context {
    SSL_CTX *ctx;
};

// The clock OpenSSL reads (clock.c): `now_us` microseconds for this thread until `mm_clock_leave`.
void mm_clock_enter(int64_t now_us);
void mm_clock_leave(void);

#endif
