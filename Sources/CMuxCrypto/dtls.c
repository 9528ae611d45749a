#include "CMuxCrypto.h"
#include "internal.h"

#include <openssl/err.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// Outgoing datagrams. OpenSSL writes one record per BIO write; records are packed into datagrams up to
// the MTU until OpenSSL flushes, so a flight usually leaves in one or two datagrams.
typedef struct datagram {
    struct datagram *next;
    size_t length;
    size_t capacity;
    int open;
    uint8_t bytes[];
} datagram;

struct mm_dtls {
    SSL *ssl;
    const uint8_t *incoming;
    size_t incoming_length;
    datagram *head;
    datagram *tail;
    int state;
    int mtu;
    // Set by the message callback when OpenSSL processed a record's content: after the handshake, only
    // records that authenticated get that far.
    int processed;
    // The last datagram after the handshake carried nothing that authenticated.
    int discarded;
    // OpenSSL flushes after every message it retransmits; a retransmitted flight is packed like the first.
    int retransmitting;
    char error[256];
};

// Once connected, only epoch 1 is read (renegotiation is off), and both cipher suites offered are AES-GCM:
// a protected record's body holds at least its 8-byte explicit nonce and 16-byte tag. OpenSSL treats a
// shorter body in the current epoch as a fatal error, not as a forgery to discard (RFC 6347, 4.1.2.7).
enum { connected_epoch = 1, gcm_record_overhead = 8 + 16, largest_datagram = 2048 };
static const char cipher_suites[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";

// ---- The BIO ----

static int bio_write(BIO *bio, const char *data, int length) {
    mm_dtls *dtls = BIO_get_data(bio);
    if (length <= 0) return 0;
    datagram *tail = dtls->tail;
    if (tail != NULL && tail->open && tail->length + (size_t)length <= tail->capacity) {
        memcpy(tail->bytes + tail->length, data, (size_t)length);
        tail->length += (size_t)length;
        return length;
    }
    size_t capacity = (size_t)length > (size_t)dtls->mtu ? (size_t)length : (size_t)dtls->mtu;
    datagram *next = malloc(sizeof *next + capacity);
    if (next == NULL) return -1;
    next->next = NULL;
    next->length = (size_t)length;
    next->capacity = capacity;
    next->open = 1;
    memcpy(next->bytes, data, (size_t)length);
    if (tail != NULL) {
        tail->open = 0;
        tail->next = next;
    } else {
        dtls->head = next;
    }
    dtls->tail = next;
    return length;
}

static int bio_read(BIO *bio, char *out, int capacity) {
    mm_dtls *dtls = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    if (dtls->incoming == NULL) {
        BIO_set_retry_read(bio);
        return -1;
    }
    size_t length = dtls->incoming_length < (size_t)capacity ? dtls->incoming_length : (size_t)capacity;
    memcpy(out, dtls->incoming, length);
    dtls->incoming = NULL;
    dtls->incoming_length = 0;
    return (int)length;
}

static long bio_ctrl(BIO *bio, int command, long number, void *pointer) {
    (void)number;
    (void)pointer;
    mm_dtls *dtls = BIO_get_data(bio);
    switch (command) {
    case BIO_CTRL_FLUSH:
        if (dtls->tail != NULL && !dtls->retransmitting) dtls->tail->open = 0;
        return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
        return dtls->mtu;
    case BIO_CTRL_PENDING:
        return dtls->incoming ? (long)dtls->incoming_length : 0;
    case BIO_CTRL_WPENDING:
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
        return 0;
    default:
        return 0;
    }
}

static int bio_create(BIO *bio) {
    BIO_set_init(bio, 1);
    return 1;
}

static int bio_destroy(BIO *bio) {
    (void)bio;
    return 1;
}

static BIO_METHOD *datagram_method;
static pthread_once_t datagram_method_once = PTHREAD_ONCE_INIT;

static void make_datagram_method(void) {
    datagram_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mediamux datagram");
    BIO_meth_set_write(datagram_method, bio_write);
    BIO_meth_set_read(datagram_method, bio_read);
    BIO_meth_set_ctrl(datagram_method, bio_ctrl);
    BIO_meth_set_create(datagram_method, bio_create);
    BIO_meth_set_destroy(datagram_method, bio_destroy);
}

// ---- Context ----

// The peer's certificate is self-signed; it is checked against the fingerprint it signaled after the
// handshake, so no chain is built or verified here. Replacing X509_verify_cert as a whole, not only its
// verdict, also skips OpenSSL 3.0's store and decoder lookups, a large share of a handshake's CPU.
// The handshake still checks that the peer holds the certificate's key (CertificateVerify).
static int accept_any_certificate(X509_STORE_CTX *store, void *argument) {
    (void)store;
    (void)argument;
    return 1;
}

mm_dtls_context *mm_dtls_context_new(const mm_certificate *certificate) {
    SSL_CTX *ctx = SSL_CTX_new(DTLS_method());
    if (ctx == NULL) return NULL;
    int ok = SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1
        && SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) == 1
        && SSL_CTX_use_certificate(ctx, certificate->cert) == 1
        && SSL_CTX_use_PrivateKey(ctx, certificate->key) == 1
        && SSL_CTX_check_private_key(ctx) == 1
        && SSL_CTX_set_cipher_list(ctx, cipher_suites) == 1
        // Returns 0 on success, unlike most of OpenSSL.
        && SSL_CTX_set_tlsext_use_srtp(ctx, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80") == 0;
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_cert_verify_callback(ctx, accept_any_certificate, NULL);
    SSL_CTX_set_read_ahead(ctx, 1);
    // A renegotiation would move the association to an epoch the record filter does not expect.
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
    // No session cache: WebRTC never resumes DTLS, and a cached session would keep the peer's certificate
    // after the association is gone.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    mm_dtls_context *context = calloc(1, sizeof *context);
    if (context == NULL) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    context->ctx = ctx;
    return context;
}

void mm_dtls_context_free(mm_dtls_context *context) {
    if (context == NULL) return;
    SSL_CTX_free(context->ctx);
    free(context);
}

// ---- Association ----

static void fail(mm_dtls *dtls, const char *what) {
    unsigned long code = ERR_get_error();
    if (code != 0) {
        char reason[200];
        ERR_error_string_n(code, reason, sizeof reason);
        snprintf(dtls->error, sizeof dtls->error, "%s: %s", what, reason);
    } else {
        snprintf(dtls->error, sizeof dtls->error, "%s", what);
    }
    ERR_clear_error();
    dtls->state = MM_DTLS_FAILED;
}

static void note_message(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg) {
    (void)version;
    (void)buf;
    (void)len;
    (void)ssl;
    // The header callback comes before decryption; the others only for content that was read.
    if (write_p == 0 && content_type != SSL3_RT_HEADER) ((mm_dtls *)arg)->processed = 1;
}

mm_dtls *mm_dtls_new(mm_dtls_context *context, int is_server, int mtu) {
    pthread_once(&datagram_method_once, make_datagram_method);
    mm_dtls *dtls = calloc(1, sizeof *dtls);
    if (dtls == NULL) return NULL;
    dtls->mtu = mtu;
    dtls->ssl = SSL_new(context->ctx);
    BIO *bio = BIO_new(datagram_method);
    if (dtls->ssl == NULL || bio == NULL) {
        BIO_free(bio);
        SSL_free(dtls->ssl);
        free(dtls);
        return NULL;
    }
    BIO_set_data(bio, dtls);
    SSL_set_bio(dtls->ssl, bio, bio);
    SSL_set_options(dtls->ssl, SSL_OP_NO_QUERY_MTU);
    SSL_set_msg_callback(dtls->ssl, note_message);
    SSL_set_msg_callback_arg(dtls->ssl, dtls);
    SSL_set_mtu(dtls->ssl, mtu);
    DTLS_set_link_mtu(dtls->ssl, mtu);
    if (is_server) {
        SSL_set_accept_state(dtls->ssl);
    } else {
        SSL_set_connect_state(dtls->ssl);
    }
    return dtls;
}

void mm_dtls_free(mm_dtls *dtls) {
    if (dtls == NULL) return;
    SSL_free(dtls->ssl);
    for (datagram *next = dtls->head; next != NULL;) {
        datagram *done = next;
        next = next->next;
        free(done);
    }
    free(dtls);
}

static int drive(mm_dtls *dtls) {
    if (dtls->state == MM_DTLS_HANDSHAKING) {
        int result = SSL_do_handshake(dtls->ssl);
        if (result == 1) {
            dtls->state = MM_DTLS_CONNECTED;
        } else {
            int error = SSL_get_error(dtls->ssl, result);
            if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) fail(dtls, "handshake failed");
        }
    }
    if (dtls->state == MM_DTLS_CONNECTED) {
        // Handles alerts and retransmitted flights; WebRTC sends no application data over DTLS-SRTP here.
        uint8_t discard[2048];
        for (;;) {
            int result = SSL_read(dtls->ssl, discard, sizeof discard);
            if (result > 0) continue;
            int error = SSL_get_error(dtls->ssl, result);
            if (error == SSL_ERROR_ZERO_RETURN) {
                dtls->state = MM_DTLS_CLOSED;
            } else if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
                fail(dtls, "record layer failed");
            }
            break;
        }
    }
    ERR_clear_error();
    return dtls->state;
}

int mm_dtls_start(mm_dtls *dtls, int64_t now_us) {
    mm_clock_enter(now_us);
    int state = drive(dtls);
    mm_clock_leave();
    return state;
}

static int feed(mm_dtls *dtls, const uint8_t *data, size_t length) {
    dtls->incoming = data;
    dtls->incoming_length = length;
    int state = drive(dtls);
    dtls->incoming = NULL;
    dtls->incoming_length = 0;
    return state;
}

// After the handshake OpenSSL sees only records it could authenticate: anyone can send a datagram from
// the peer's address, and none of them may end the association unless it carries the peer's keys.
static int feed_connected(mm_dtls *dtls, const uint8_t *data, size_t length) {
    uint8_t kept[largest_datagram];
    int discarded = 0;
    size_t kept_length = length > sizeof kept ? 0 : mm_dtls_keep_protected_records(
        data, length, connected_epoch, gcm_record_overhead, kept, &discarded
    );
    dtls->discarded = 1;
    if (kept_length == 0) return dtls->state;
    dtls->processed = 0;
    datagram *queued = dtls->tail;
    int state = feed(dtls, kept, kept_length);
    // A retransmitted Finished is answered without a message callback, by our last flight.
    if (dtls->processed || state != MM_DTLS_CONNECTED || dtls->tail != queued) dtls->discarded = 0;
    return state;
}

int mm_dtls_handle_datagram(mm_dtls *dtls, const uint8_t *data, size_t length, int64_t now_us) {
    dtls->discarded = 0;
    if (dtls->state == MM_DTLS_FAILED || dtls->state == MM_DTLS_CLOSED) return dtls->state;
    // A read of 0 bytes means end of file to OpenSSL, which would fail the handshake: an empty datagram
    // carries no record, so there is nothing to do.
    if (dtls->state == MM_DTLS_HANDSHAKING && length == 0) return dtls->state;
    mm_clock_enter(now_us);
    int state = dtls->state == MM_DTLS_CONNECTED ? feed_connected(dtls, data, length) : feed(dtls, data, length);
    mm_clock_leave();
    return state;
}

int mm_dtls_discarded_last_datagram(const mm_dtls *dtls) {
    return dtls->discarded;
}

long mm_dtls_next_datagram(mm_dtls *dtls, uint8_t *out, size_t capacity) {
    datagram *head = dtls->head;
    if (head == NULL) return 0;
    if (head->length > capacity) return -1;
    memcpy(out, head->bytes, head->length);
    long length = (long)head->length;
    dtls->head = head->next;
    if (dtls->head == NULL) dtls->tail = NULL;
    free(head);
    return length;
}

int64_t mm_dtls_timeout_us(mm_dtls *dtls, int64_t now_us) {
    if (dtls->state != MM_DTLS_HANDSHAKING) return -1;
    struct timeval timeout;
    mm_clock_enter(now_us);
    int running = DTLSv1_get_timeout(dtls->ssl, &timeout) == 1;
    mm_clock_leave();
    return running ? (int64_t)timeout.tv_sec * 1000000 + timeout.tv_usec : -1;
}

int mm_dtls_handle_timeout(mm_dtls *dtls, int64_t now_us) {
    if (dtls->state != MM_DTLS_HANDSHAKING) return dtls->state;
    mm_clock_enter(now_us);
    dtls->retransmitting = 1;
    if (DTLSv1_handle_timeout(dtls->ssl) < 0) fail(dtls, "handshake timed out after retransmissions");
    dtls->retransmitting = 0;
    if (dtls->tail != NULL) dtls->tail->open = 0;
    mm_clock_leave();
    return dtls->state;
}

int mm_dtls_state(const mm_dtls *dtls) {
    return dtls->state;
}

const char *mm_dtls_error(const mm_dtls *dtls) {
    return dtls->error;
}

int mm_dtls_peer_fingerprint(mm_dtls *dtls, uint8_t out[32]) {
    X509 *peer = SSL_get1_peer_certificate(dtls->ssl);
    if (peer == NULL) return -1;
    unsigned int length = 0;
    int ok = X509_digest(peer, EVP_sha256(), out, &length) == 1 && length == 32;
    X509_free(peer);
    return ok ? 0 : -1;
}

int mm_dtls_srtp_profile(mm_dtls *dtls) {
    SRTP_PROTECTION_PROFILE *profile = SSL_get_selected_srtp_profile(dtls->ssl);
    return profile ? (int)profile->id : 0;
}

int mm_dtls_export_srtp_material(mm_dtls *dtls, uint8_t *out, size_t length) {
    static const char label[] = "EXTRACTOR-dtls_srtp";
    return SSL_export_keying_material(dtls->ssl, out, length, label, sizeof label - 1, NULL, 0, 0) == 1 ? 0 : -1;
}

long mm_dtls_seal_close_notify(mm_dtls *dtls, uint8_t *out, size_t capacity) {
    if (dtls->state != MM_DTLS_CONNECTED || dtls->head != NULL) return -1;
    SSL_shutdown(dtls->ssl);
    ERR_clear_error();
    dtls->state = MM_DTLS_CLOSED;
    long length = mm_dtls_next_datagram(dtls, out, capacity);
    return dtls->head == NULL ? length : -1;
}

void mm_dtls_shutdown(mm_dtls *dtls) {
    if (dtls->state == MM_DTLS_CONNECTED) {
        SSL_shutdown(dtls->ssl);
        dtls->state = MM_DTLS_CLOSED;
    }
    ERR_clear_error();
}
