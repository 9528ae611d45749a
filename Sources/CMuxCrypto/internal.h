#ifndef CMUXCRYPTO_INTERNAL_H
#define CMUXCRYPTO_INTERNAL_H

#include <openssl/ssl.h>

struct mm_certificate {
    EVP_PKEY *key;
    X509 *cert;
};

struct mm_dtls_context {
    SSL_CTX *ctx;
};

#endif
