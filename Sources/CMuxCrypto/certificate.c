#include "CMuxCrypto.h"
#include "internal.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>

mm_certificate *mm_certificate_generate(void) {
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    uint64_t serial = 0;
    if (key == NULL || cert == NULL || RAND_bytes((unsigned char *)&serial, sizeof serial) != 1) goto fail;
    X509_set_version(cert, 2);
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial >> 1);
    // An hour of slack for peers whose clocks run behind.
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"mediamux", -1, -1, 0);
    X509_set_issuer_name(cert, name);
    if (X509_sign(cert, key, EVP_sha256()) == 0) goto fail;

    mm_certificate *certificate = calloc(1, sizeof *certificate);
    if (certificate == NULL) goto fail;
    certificate->key = key;
    certificate->cert = cert;
    return certificate;
fail:
    EVP_PKEY_free(key);
    X509_free(cert);
    return NULL;
}

mm_certificate *mm_certificate_load(const char *certificate_path, const char *key_path) {
    FILE *cert_file = fopen(certificate_path, "r");
    FILE *key_file = fopen(key_path, "r");
    X509 *cert = cert_file ? PEM_read_X509(cert_file, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = key_file ? PEM_read_PrivateKey(key_file, NULL, NULL, NULL) : NULL;
    if (cert_file) fclose(cert_file);
    if (key_file) fclose(key_file);
    mm_certificate *certificate = (cert && key) ? calloc(1, sizeof *certificate) : NULL;
    if (certificate == NULL || X509_check_private_key(cert, key) != 1) {
        X509_free(cert);
        EVP_PKEY_free(key);
        free(certificate);
        return NULL;
    }
    certificate->key = key;
    certificate->cert = cert;
    return certificate;
}

void mm_certificate_free(mm_certificate *certificate) {
    if (certificate == NULL) return;
    EVP_PKEY_free(certificate->key);
    X509_free(certificate->cert);
    free(certificate);
}

int mm_certificate_fingerprint(const mm_certificate *certificate, uint8_t out[32]) {
    unsigned int length = 0;
    return X509_digest(certificate->cert, EVP_sha256(), out, &length) == 1 && length == 32 ? 0 : -1;
}
