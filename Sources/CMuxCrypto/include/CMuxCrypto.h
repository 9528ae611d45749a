// A thin C layer over OpenSSL (DTLS 1.2) and libsrtp2 for what Swift cannot import or express well:
// function-like macros, a custom BIO whose writes are one datagram each, and libsrtp's policy structs.
// It keeps no global state beyond libsrtp's one-time initialisation.
#ifndef CMUXCRYPTO_H
#define CMUXCRYPTO_H

#include <stddef.h>
#include <stdint.h>

typedef struct mm_certificate mm_certificate;
typedef struct mm_dtls_context mm_dtls_context;
typedef struct mm_dtls mm_dtls;
typedef struct mm_srtp mm_srtp;

// ---- Certificate: one ECDSA P-256 key and self-signed certificate per process ----

/// Generates a key and a certificate valid from an hour ago for 30 days. NULL on failure.
mm_certificate *mm_certificate_generate(void);
/// Loads a PEM certificate and private key. NULL on failure.
mm_certificate *mm_certificate_load(const char *certificate_path, const char *key_path);
void mm_certificate_free(mm_certificate *certificate);
/// SHA-256 of the DER certificate into `out` (32 bytes).
int mm_certificate_fingerprint(const mm_certificate *certificate, uint8_t out[32]);

// ---- DTLS ----

/// A DTLS 1.2 context offering SRTP_AEAD_AES_128_GCM and SRTP_AES128_CM_SHA1_80. NULL on failure.
mm_dtls_context *mm_dtls_context_new(const mm_certificate *certificate);
void mm_dtls_context_free(mm_dtls_context *context);

enum {
    MM_DTLS_HANDSHAKING = 0,
    MM_DTLS_CONNECTED = 1,
    MM_DTLS_FAILED = 2,
    MM_DTLS_CLOSED = 3,
};

/// An association's timers run on the caller's clock: every call that can start, check or fire one takes
/// `now_us`, microseconds on any monotonic scale that stays positive (OpenSSL treats 0 as "no timer").
/// 1 when OpenSSL's calls to gettimeofday reach the clock these calls give (clock.c), 0 if something else
/// interposed on it first.
int mm_clock_follows_caller(void);

/// One DTLS association. `is_server` 1 for the passive side. `mtu` bounds each outgoing datagram.
mm_dtls *mm_dtls_new(mm_dtls_context *context, int is_server, int mtu);
void mm_dtls_free(mm_dtls *dtls);
/// Starts the handshake (a client writes its ClientHello). Returns the state.
int mm_dtls_start(mm_dtls *dtls, int64_t now_us);
/// Feeds one received datagram. Returns the state. Application data is discarded (WebRTC sends none here).
/// Once connected, records that cannot be authenticated never reach OpenSSL (mm_dtls_keep_protected_records),
/// and those that fail authentication are discarded by it: only the peer can end a connected association.
int mm_dtls_handle_datagram(mm_dtls *dtls, const uint8_t *data, size_t length, int64_t now_us);
/// 1 when the last datagram fed to a connected association carried nothing that authenticated: every record
/// was malformed, of another epoch, too short to carry a tag, forged, or replayed.
int mm_dtls_discarded_last_datagram(const mm_dtls *dtls);
/// DTLS 1.2 record framing as a connected association applies it (RFC 6347, section 4.1): copies into `out`
/// (room for `length` bytes) the records of `epoch` whose type may be protected (alert, handshake,
/// application data) and whose body holds at least `min_body` bytes, and returns their total length.
/// `discarded` gets the number of records left out; a torn header or a length past the end counts as one
/// and ends the walk.
size_t mm_dtls_keep_protected_records(
    const uint8_t *data, size_t length, uint16_t epoch, size_t min_body, uint8_t *out, int *discarded
);
/// Copies the next datagram to send into `out`; returns its length, 0 when none, -1 if `capacity` is short.
long mm_dtls_next_datagram(mm_dtls *dtls, uint8_t *out, size_t capacity);
/// Microseconds from `now_us` until the retransmission timer fires (0 when due), or -1 when none runs.
int64_t mm_dtls_timeout_us(mm_dtls *dtls, int64_t now_us);
/// Retransmits if the timer expired by `now_us`. Returns the state.
int mm_dtls_handle_timeout(mm_dtls *dtls, int64_t now_us);
int mm_dtls_state(const mm_dtls *dtls);
/// Why the handshake failed, or "" — valid until the next call on this association.
const char *mm_dtls_error(const mm_dtls *dtls);
/// SHA-256 of the peer's certificate into `out`; 0 on success.
int mm_dtls_peer_fingerprint(mm_dtls *dtls, uint8_t out[32]);
/// The negotiated SRTP protection profile id (1 = AES128_CM_SHA1_80, 7 = AEAD_AES_128_GCM), or 0.
int mm_dtls_srtp_profile(mm_dtls *dtls);
/// Exports `length` bytes of "EXTRACTOR-dtls_srtp" keying material (RFC 5764); 0 on success.
int mm_dtls_export_srtp_material(mm_dtls *dtls, uint8_t *out, size_t length);
/// Sends close_notify (queued as a datagram).
void mm_dtls_shutdown(mm_dtls *dtls);
/// Writes the close_notify this association would send now into `out` instead of queueing it, and closes
/// the association: the caller keeps the datagram to send later, in place of the association. Valid as long
/// as no other record is sent. Returns its length, or -1 when not connected, something is still queued, or
/// `capacity` is short.
long mm_dtls_seal_close_notify(mm_dtls *dtls, uint8_t *out, size_t capacity);

// ---- SRTP ----

enum {
    MM_SRTP_OK = 0,
    MM_SRTP_AUTH_FAIL = 1,
    MM_SRTP_REPLAY = 2,
    MM_SRTP_OTHER = 3,
};

/// libsrtp2's own version string, e.g. "libsrtp2 2.5.0".
const char *mm_srtp_version(void);
/// How libsrtp2 describes its AES-128-GCM cipher, which names the crypto library it was built on,
/// e.g. "AES-128 GCM using openssl" or "AES-128 GCM using NSS".
const char *mm_srtp_cipher_description(void);
/// Master key and salt lengths of a profile; 0 for an unknown one.
int mm_srtp_key_length(int profile);
int mm_srtp_salt_length(int profile);
/// Extra bytes protect may append (auth tag, SRTCP index).
int mm_srtp_max_trailer(void);
/// One direction of SRTP and SRTCP for any SSRC. `inbound` 1 to unprotect, 0 to protect. NULL on failure.
mm_srtp *mm_srtp_new(int profile, const uint8_t *key, const uint8_t *salt, int inbound);
void mm_srtp_free(mm_srtp *srtp);
/// In place. `length` is updated. `capacity` must leave room for mm_srtp_max_trailer() when protecting.
int mm_srtp_protect(mm_srtp *srtp, uint8_t *packet, int *length, int capacity, int is_rtcp);
int mm_srtp_unprotect(mm_srtp *srtp, uint8_t *packet, int *length, int is_rtcp);

#endif
