#include "CMuxCrypto.h"

#include <pthread.h>
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>
#include <string.h>

// An mm_srtp is libsrtp's own session, cast: no wrapper to allocate, and no pointer more for a packet to follow.
static srtp_t session_of(mm_srtp *srtp) {
    return (srtp_t)(void *)srtp;
}

// libsrtp may be initialised once per process (a second srtp_init fails in 2.5).
static pthread_once_t initialised = PTHREAD_ONCE_INIT;
static int initialised_ok;

static void initialise(void) {
    initialised_ok = srtp_init() == srtp_err_status_ok;
}

// Exported by libsrtp2 whichever crypto library it is built on; only its description names that library.
extern const srtp_cipher_type_t srtp_aes_gcm_128;

const char *mm_srtp_version(void) {
    return srtp_get_version_string();
}

const char *mm_srtp_cipher_description(void) {
    return srtp_aes_gcm_128.description;
}

int mm_srtp_key_length(int profile) {
    return (profile == 1 || profile == 7) ? 16 : 0;
}

int mm_srtp_salt_length(int profile) {
    return profile == 1 ? 14 : profile == 7 ? 12 : 0;
}

int mm_srtp_max_trailer(void) {
    return SRTP_MAX_TRAILER_LEN + 4;
}

mm_srtp *mm_srtp_new(int profile, const uint8_t *key, const uint8_t *salt, int inbound) {
    pthread_once(&initialised, initialise);
    if (!initialised_ok) return NULL;
    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    switch (profile) {
    case 1:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
    case 7:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        break;
    default:
        return NULL;
    }
    uint8_t master[16 + 14];
    int key_length = mm_srtp_key_length(profile);
    int salt_length = mm_srtp_salt_length(profile);
    memcpy(master, key, (size_t)key_length);
    memcpy(master + key_length, salt, (size_t)salt_length);
    policy.key = master;
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.window_size = 1024;
    // Retransmissions (NACK) resend a sequence number already protected.
    policy.allow_repeat_tx = 1;
    srtp_t session = NULL;
    srtp_err_status_t created = srtp_create(&session, &policy);
    memset(master, 0, sizeof master);
    return created == srtp_err_status_ok ? (mm_srtp *)(void *)session : NULL;
}

void mm_srtp_free(mm_srtp *srtp) {
    if (srtp == NULL) return;
    srtp_dealloc(session_of(srtp));
}

static int status(srtp_err_status_t status) {
    switch (status) {
    case srtp_err_status_ok: return MM_SRTP_OK;
    case srtp_err_status_auth_fail: return MM_SRTP_AUTH_FAIL;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old: return MM_SRTP_REPLAY;
    default: return MM_SRTP_OTHER;
    }
}

int mm_srtp_protect(mm_srtp *srtp, uint8_t *packet, int *length, int capacity, int is_rtcp) {
    if (capacity - *length < mm_srtp_max_trailer()) return MM_SRTP_OTHER;
    return status(is_rtcp ? srtp_protect_rtcp(session_of(srtp), packet, length) : srtp_protect(session_of(srtp), packet, length));
}

int mm_srtp_unprotect(mm_srtp *srtp, uint8_t *packet, int *length, int is_rtcp) {
    return status(is_rtcp ? srtp_unprotect_rtcp(session_of(srtp), packet, length) : srtp_unprotect(session_of(srtp), packet, length));
}
