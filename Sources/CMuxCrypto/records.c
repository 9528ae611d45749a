#include "CMuxCrypto.h"

#include <string.h>

// DTLS 1.2 record header (RFC 6347, section 4.1): type, version, epoch, 48-bit sequence number, length.
enum {
    header_length = 13,
    content_change_cipher_spec = 20,
    content_alert = 21,
    content_handshake = 22,
    content_application_data = 23,
};

static int could_authenticate(const uint8_t *header, size_t body_length, uint16_t epoch, size_t min_body) {
    uint8_t type = header[0];
    // A ChangeCipherSpec is never protected: it belongs to the handshake's epoch 0.
    if (type != content_alert && type != content_handshake && type != content_application_data) return 0;
    if (header[1] != 0xfe || header[2] != 0xfd) return 0;
    if ((uint16_t)(header[3] << 8 | header[4]) != epoch) return 0;
    return body_length >= min_body;
}

size_t mm_dtls_keep_protected_records(
    const uint8_t *data, size_t length, uint16_t epoch, size_t min_body, uint8_t *out, int *discarded
) {
    size_t kept = 0;
    size_t offset = 0;
    *discarded = 0;
    while (offset < length) {
        if (length - offset < header_length) {
            *discarded += 1;  // a torn header: the rest of the datagram is no record
            break;
        }
        const uint8_t *header = data + offset;
        size_t body_length = (size_t)header[11] << 8 | header[12];
        if (body_length > length - offset - header_length) {
            *discarded += 1;  // claims more than the datagram holds
            break;
        }
        size_t record_length = header_length + body_length;
        if (could_authenticate(header, body_length, epoch, min_body)) {
            memcpy(out + kept, header, record_length);
            kept += record_length;
        } else {
            *discarded += 1;
        }
        offset += record_length;
    }
    return kept;
}
