// libsrtp2 alone: protect and unprotect of one 1200-byte AEAD_AES_128_GCM packet, round-robin over N
// sessions (one key each, as N WebRTC sessions have), in nanoseconds per round trip. Built once against each
// libsrtp2 (the OpenSSL build the Makefile makes, and the system's) by scripts/bench.py, so the crypto
// library under libsrtp2 is measured without mediamux around it.
//
//   srtp_streams SESSIONS ROUNDS
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const srtp_cipher_type_t srtp_aes_gcm_128;

static srtp_t make(int index, int inbound) {
    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    uint8_t key[28];
    for (int i = 0; i < 28; i++) key[i] = (uint8_t)(index * 31 + i);
    policy.key = key;
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.window_size = 1024;
    policy.allow_repeat_tx = 1;
    srtp_t session;
    if (srtp_create(&session, &policy) != srtp_err_status_ok) exit(2);
    return session;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SESSIONS ROUNDS\n", argv[0]);
        return 64;
    }
    int sessions = atoi(argv[1]);
    long rounds = atol(argv[2]);
    if (sessions < 1 || rounds < 1 || srtp_init() != srtp_err_status_ok) return 64;
    srtp_t *senders = calloc((size_t)sessions, sizeof *senders);
    srtp_t *receivers = calloc((size_t)sessions, sizeof *receivers);
    uint16_t *sequences = calloc((size_t)sessions, sizeof *sequences);
    for (int i = 0; i < sessions; i++) {
        senders[i] = make(i, 0);
        receivers[i] = make(i, 1);
    }
    uint8_t packet[1200 + SRTP_MAX_TRAILER_LEN];
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long round = 0; round < rounds; round++) {
        int i = (int)(round % sessions);
        memset(packet, 0, 1200);
        packet[0] = 0x80;
        packet[1] = 96;
        uint16_t sequence = ++sequences[i];
        packet[2] = (uint8_t)(sequence >> 8);
        packet[3] = (uint8_t)sequence;
        packet[8] = (uint8_t)(i >> 24), packet[9] = (uint8_t)(i >> 16), packet[10] = (uint8_t)(i >> 8), packet[11] = (uint8_t)i;
        int length = 1200;
        if (srtp_protect(senders[i], packet, &length) != srtp_err_status_ok) return 3;
        if (srtp_unprotect(receivers[i], packet, &length) != srtp_err_status_ok || length != 1200) return 4;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double nanoseconds = (double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec);
    printf("{\"backend\": \"%s\", \"sessions\": %d, \"rounds\": %ld, \"ns_per_round_trip\": %.0f}\n",
           srtp_aes_gcm_128.description, sessions, rounds, nanoseconds / (double)rounds);
    return 0;
}
