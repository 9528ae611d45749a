// mediamux-reference: the smallest program that does mediamux's `echo` job, to measure this machine's
// ceiling in the same run as mediamux (docs/benchmarks.md). No ICE, no DTLS, no API, no counters beyond
// three totals: recvmmsg a batch, and for each SRTP packet find the sender's contexts by address,
// unprotect, protect, and queue it back to the sender; sendmmsg the batch.
//
// Its keys are fixed (loadgen's --reference mode uses the same ones), so it must never face a network.
// IPv4 only. One thread, like mediamux with udp.io_threads: 1.
//
//   mediamux-reference --bind 127.0.0.1 --port 0 [--profile gcm|cm] [--batch 32] [--ready-file PATH]

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "CMuxCrypto.h"

// The fixed SRTP master keys and salts, each byte the same: loadgen's ReferenceKeys mirrors them.
// GCM reads the first 12 salt bytes, AES-CM all 14.
static const uint8_t reference_client_key[16] = {[0 ... 15] = 0xC1};
static const uint8_t reference_client_salt[14] = {[0 ... 13] = 0xC5};
static const uint8_t reference_server_key[16] = {[0 ... 15] = 0x51};
static const uint8_t reference_server_salt[14] = {[0 ... 13] = 0x55};

#define MAX_BATCH 256
#define SLOT_SIZE 2048
// A power of two, well above the peers a run creates; full means new peers are dropped (counted).
#define TABLE_SIZE 65536

struct peer {
    uint64_t key;  // (ip << 16 | port) + 1; 0 marks an empty slot
    mm_srtp *inbound;
    mm_srtp *outbound;
};

static struct peer table[TABLE_SIZE];
static volatile sig_atomic_t stopping;

static void stop(int signal_number) {
    (void)signal_number;
    stopping = 1;
}

static uint64_t hash(uint64_t key) {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return key;
}

/// The sender's contexts, made with the fixed keys on its first packet; NULL when the table is full.
static struct peer *peer_for(const struct sockaddr_in *address, int profile) {
    uint64_t key = (((uint64_t)ntohl(address->sin_addr.s_addr) << 16) | ntohs(address->sin_port)) + 1;
    for (uint64_t probe = 0, index = hash(key); probe < TABLE_SIZE; probe++, index++) {
        struct peer *slot = &table[index & (TABLE_SIZE - 1)];
        if (slot->key == key) return slot;
        if (slot->key != 0) continue;
        if (probe > TABLE_SIZE / 2) return NULL;
        slot->inbound = mm_srtp_new(profile, reference_client_key, reference_client_salt, 1);
        slot->outbound = mm_srtp_new(profile, reference_server_key, reference_server_salt, 0);
        if (slot->inbound == NULL || slot->outbound == NULL) return NULL;
        slot->key = key;
        return slot;
    }
    return NULL;
}

static int usage(const char *program) {
    fprintf(stderr, "usage: %s --bind IPV4 --port N [--profile gcm|cm] [--batch 1-%d] [--ready-file PATH]\n", program, MAX_BATCH);
    return 2;
}

int main(int argc, char **argv) {
    const char *bind_ip = "127.0.0.1";
    const char *ready_file = NULL;
    int port = 0;
    int profile = 7;
    int batch = 32;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (value == NULL) return usage(argv[0]);
        if (strcmp(argv[i], "--bind") == 0) bind_ip = value;
        else if (strcmp(argv[i], "--port") == 0) port = atoi(value);
        else if (strcmp(argv[i], "--profile") == 0) profile = strcmp(value, "cm") == 0 ? 1 : 7;
        else if (strcmp(argv[i], "--batch") == 0) batch = atoi(value);
        else if (strcmp(argv[i], "--ready-file") == 0) ready_file = value;
        else return usage(argv[0]);
        i++;
    }
    if (batch < 1 || batch > MAX_BATCH || port < 0 || port > 65535) return usage(argv[0]);

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (fd < 0 || inet_pton(AF_INET, bind_ip, &local.sin_addr) != 1) return usage(argv[0]);
    int buffer_size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_size, sizeof buffer_size);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_size, sizeof buffer_size);
    // Wakes the loop to notice a signal even when no traffic comes.
    struct timeval wake = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wake, sizeof wake);
    if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
        perror("bind");
        return 1;
    }
    socklen_t local_length = sizeof local;
    getsockname(fd, (struct sockaddr *)&local, &local_length);
    signal(SIGTERM, stop);
    signal(SIGINT, stop);

    char address[64];
    snprintf(address, sizeof address, "%s:%u", bind_ip, ntohs(local.sin_port));
    if (ready_file != NULL) {
        FILE *file = fopen(ready_file, "w");
        if (file == NULL) return 1;
        fprintf(file, "{\"udp\": \"%s\"}\n", address);
        fclose(file);
    }
    fprintf(stderr, "mediamux-reference: echoing SRTP on %s\n", address);

    static uint8_t slots[MAX_BATCH][SLOT_SIZE];
    static struct sockaddr_in sources[MAX_BATCH];
    static struct iovec in_vectors[MAX_BATCH], out_vectors[MAX_BATCH];
    static struct mmsghdr in_messages[MAX_BATCH], out_messages[MAX_BATCH];
    unsigned long long received = 0, sent = 0, dropped = 0;

    while (!stopping) {
        for (int i = 0; i < batch; i++) {
            in_vectors[i] = (struct iovec){.iov_base = slots[i], .iov_len = SLOT_SIZE - mm_srtp_max_trailer()};
            in_messages[i].msg_hdr = (struct msghdr){
                .msg_name = &sources[i], .msg_namelen = sizeof sources[i], .msg_iov = &in_vectors[i], .msg_iovlen = 1,
            };
        }
        int count = recvmmsg(fd, in_messages, (unsigned)batch, MSG_WAITFORONE, NULL);
        if (count <= 0) continue;
        received += (unsigned)count;
        int queued = 0;
        for (int i = 0; i < count; i++) {
            uint8_t *packet = slots[i];
            int length = (int)in_messages[i].msg_len;
            struct peer *peer = NULL;
            if (length >= 12 && packet[0] >= 128 && packet[0] <= 191) peer = peer_for(&sources[i], profile);
            int is_rtcp = length > 1 && packet[1] >= 192 && packet[1] <= 223;
            if (peer == NULL || mm_srtp_unprotect(peer->inbound, packet, &length, is_rtcp) != MM_SRTP_OK
                || mm_srtp_protect(peer->outbound, packet, &length, SLOT_SIZE, is_rtcp) != MM_SRTP_OK) {
                dropped++;
                continue;
            }
            out_vectors[queued] = (struct iovec){.iov_base = packet, .iov_len = (size_t)length};
            out_messages[queued].msg_hdr = (struct msghdr){
                .msg_name = &sources[i], .msg_namelen = sizeof sources[i], .msg_iov = &out_vectors[queued], .msg_iovlen = 1,
            };
            queued++;
        }
        for (int offset = 0; offset < queued;) {
            int done = sendmmsg(fd, out_messages + offset, (unsigned)(queued - offset), 0);
            if (done <= 0) {
                if (errno == EINTR) continue;
                dropped += (unsigned)(queued - offset);  // ENOBUFS or a full send buffer: the packets are lost
                break;
            }
            offset += done;
            sent += (unsigned)done;
        }
    }
    fprintf(stderr, "mediamux-reference: received %llu, sent %llu, dropped %llu\n", received, sent, dropped);
    close(fd);
    return 0;
}
