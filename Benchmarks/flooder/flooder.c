// A flood of spoofed datagrams at a mediamux port, as fast as one core sends them, for the flood scenarios
// of scripts/flood_bench.py. Sources are 4,096 IPs in 127.1.0.0/16, 256 ports each, so no per-IP budget is
// ever spent. Needs a raw socket: run it in a network namespace of your own (unshare --net) or as root.
//
//   flooder DEST_IP DEST_PORT MODE SECONDS [UFRAG...]
//
// MODE wrong-password: connectivity checks naming the UFRAGs with a wrong MESSAGE-INTEGRITY and a valid
//                      FINGERPRINT, so each costs mediamux a lookup and, within the budgets, an HMAC.
// MODE mixed:          those, checks naming no session, STUN that does not parse, DTLS, RTP and bytes of no
//                      class, in turn.
// Prints {"sent": N, "seconds": S, "rate": R} on stdout.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

enum { sources = 4096, ports = 256, batch = 64, pool = 8192, max_packet = 256 };

typedef struct {
    uint8_t bytes[max_packet];
    size_t length;
} packet;

static uint32_t crc32(const uint8_t *data, size_t length) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
    }
    return ~crc;
}

static size_t attribute(uint8_t *at, uint16_t type, const void *value, uint16_t length) {
    at[0] = type >> 8, at[1] = type & 0xFF, at[2] = length >> 8, at[3] = length & 0xFF;
    memcpy(at + 4, value, length);
    size_t padded = (length + 3u) & ~3u;
    memset(at + 4 + length, 0, padded - length);
    return 4 + padded;
}

// A Binding request with USERNAME "ufrag:flood", PRIORITY, ICE-CONTROLLING, a MESSAGE-INTEGRITY of random
// bytes and a valid FINGERPRINT.
static size_t check(uint8_t *out, const char *ufrag) {
    out[0] = 0x00, out[1] = 0x01;
    uint32_t cookie = htonl(0x2112A442);
    memcpy(out + 4, &cookie, 4);
    for (int i = 8; i < 20; i++) out[i] = (uint8_t)rand();
    char username[128];
    int name_length = snprintf(username, sizeof username, "%s:flood", ufrag);
    size_t at = 20;
    at += attribute(out + at, 0x0006, username, (uint16_t)name_length);
    uint32_t priority = htonl(1853824767);
    at += attribute(out + at, 0x0024, &priority, 4);
    uint8_t tiebreaker[8];
    for (int i = 0; i < 8; i++) tiebreaker[i] = (uint8_t)rand();
    at += attribute(out + at, 0x802A, tiebreaker, 8);
    uint8_t integrity[20];
    for (int i = 0; i < 20; i++) integrity[i] = (uint8_t)rand();
    at += attribute(out + at, 0x0008, integrity, 20);
    uint16_t with_fingerprint = (uint16_t)(at + 8 - 20);
    out[2] = with_fingerprint >> 8, out[3] = with_fingerprint & 0xFF;
    uint32_t fingerprint = htonl(crc32(out, at) ^ 0x5354554E);
    at += attribute(out + at, 0x8028, &fingerprint, 4);
    return at;
}

static size_t junk(uint8_t *out, uint8_t first, size_t length) {
    out[0] = first;
    for (size_t i = 1; i < length; i++) out[i] = (uint8_t)rand();
    return length;
}

static size_t payload(uint8_t *out, int mixed, unsigned index, char **ufrags, int ufrag_count) {
    if (!mixed) return check(out, ufrags[index % ufrag_count]);
    switch (index % 6) {
    case 0: return check(out, ufrags[index / 6 % ufrag_count]);
    case 1: return check(out, "nobody");
    case 2: return junk(out, 0x00, 60);          // STUN by its first byte, unparseable
    case 3: return junk(out, 22, 120);           // a DTLS handshake record from nowhere
    case 4: return junk(out, 0x80, 200);         // RTP from nowhere
    default: return junk(out, 0xFF, 50);         // no RFC 7983 class
    }
}

static double now(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (double)time.tv_sec + (double)time.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 5 || (strcmp(argv[3], "mixed") != 0 && strcmp(argv[3], "wrong-password") != 0)) {
        fprintf(stderr, "usage: %s DEST_IP DEST_PORT mixed|wrong-password SECONDS [UFRAG...]\n", argv[0]);
        return 2;
    }
    int mixed = strcmp(argv[3], "mixed") == 0;
    double seconds = atof(argv[4]);
    char *nobody[] = {"nobody"};
    char **ufrags = argc > 5 ? argv + 5 : nobody;
    int ufrag_count = argc > 5 ? argc - 5 : 1;
    struct in_addr destination;
    if (inet_pton(AF_INET, argv[1], &destination) != 1) return 2;
    uint16_t destination_port = (uint16_t)atoi(argv[2]);

    int raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (raw < 0) {
        perror("raw socket (run in a network namespace of your own, or as root)");
        return 1;
    }
    packet *packets = calloc(pool, sizeof *packets);
    for (unsigned i = 0; i < pool; i++) {
        uint8_t *ip = packets[i].bytes, *udp = ip + 20;
        size_t length = payload(udp + 8, mixed, i, ufrags, ufrag_count);
        unsigned source = i % sources;
        uint16_t source_port = (uint16_t)(20000 + (i / sources + i * 7) % ports);
        uint16_t udp_length = (uint16_t)(8 + length), total = (uint16_t)(20 + udp_length);
        ip[0] = 0x45, ip[2] = total >> 8, ip[3] = total & 0xFF, ip[8] = 64, ip[9] = IPPROTO_UDP;
        ip[12] = 127, ip[13] = 1, ip[14] = (uint8_t)(source >> 8), ip[15] = (uint8_t)(source & 0xFF ? source & 0xFF : 1);
        memcpy(ip + 16, &destination, 4);
        udp[0] = source_port >> 8, udp[1] = source_port & 0xFF;
        udp[2] = destination_port >> 8, udp[3] = destination_port & 0xFF;
        udp[4] = udp_length >> 8, udp[5] = udp_length & 0xFF;
        packets[i].length = total;
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = destination};
    struct mmsghdr messages[batch];
    struct iovec vectors[batch];
    unsigned long long sent = 0;
    double start = now(), end = start + seconds;
    for (unsigned next = 0; now() < end;) {
        for (int i = 0; i < batch; i++, next = (next + 1) % pool) {
            vectors[i] = (struct iovec){packets[next].bytes, packets[next].length};
            messages[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &vectors[i], .msg_iovlen = 1}};
        }
        int count = sendmmsg(raw, messages, batch, 0);
        if (count > 0) sent += (unsigned long long)count;
    }
    double elapsed = now() - start;
    printf("{\"sent\": %llu, \"seconds\": %.3f, \"rate\": %.0f}\n", sent, elapsed, (double)sent / elapsed);
    return 0;
}
