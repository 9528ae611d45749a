"""Writes the seed corpora of the fuzz targets (Fuzz/Corpus/<target>/) from packets that real client
stacks produce: aioice's connectivity checks, pyOpenSSL's DTLS flights (aiortc's DTLS layer), and
pylibsrtp's SRTP and SRTCP (aiortc's SRTP layer, itself libsrtp2). The credentials and keys match
Fuzz/Sources/FuzzSupport, so mutations of a seed reach the code behind a verified check.

Run with the interop venv: .venv-interop/bin/python scripts/fuzz-seeds.py Fuzz/Corpus
"""

import datetime
import hashlib
import os
import struct
import sys

import pylibsrtp
from aioice import stun
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from OpenSSL import SSL, crypto

UFRAG, PASSWORD = "fuzz", "fuzzfuzzfuzzfuzzfuzzfuzz"
SRTP_KEY, SRTP_SALT = bytes(range(16)), bytes(range(16, 28))


def check(use_candidate=True, role="ICE-CONTROLLING", password=PASSWORD, integrity=True, extra=None):
    message = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
    message.attributes["USERNAME"] = f"{UFRAG}:peer"
    message.attributes["PRIORITY"] = 1853824767
    message.attributes[role] = 0x1234567890ABCDEF
    if use_candidate:
        message.attributes["USE-CANDIDATE"] = None
    if extra:
        message.attributes.update(extra)
    if integrity:
        message.add_message_integrity(password.encode())
    message.add_fingerprint()
    return bytes(message)


def stun_seeds():
    response = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.RESPONSE)
    response.attributes["XOR-MAPPED-ADDRESS"] = ("192.0.2.1", 4000)
    response.add_message_integrity(PASSWORD.encode())
    response.add_fingerprint()
    error = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.ERROR)
    error.attributes["ERROR-CODE"] = (401, "Unauthenticated")
    error.add_fingerprint()
    return [
        check(), check(use_candidate=False), check(role="ICE-CONTROLLED"), check(password="not-the-password"),
        check(integrity=False), check(extra={"SOFTWARE": "aioice"}), bytes(response), bytes(error),
    ]


def certificate():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fuzz")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return crypto.X509.from_cryptography(cert), crypto.PKey.from_cryptography_key(key)


def dtls_context():
    context = SSL.Context(SSL.DTLS_METHOD)
    cert, key = certificate()
    context.use_certificate(cert)
    context.use_privatekey(key)
    context.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, lambda *args: True)
    context.set_tlsext_use_srtp(b"SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80")
    return context


def dtls_flights():
    """Every datagram of an in-memory handshake, client first, then the client's close_notify."""
    client, server = SSL.Connection(dtls_context()), SSL.Connection(dtls_context())
    client.set_connect_state()
    server.set_accept_state()
    flights = []
    for _ in range(10):
        for sender, receiver in ((client, server), (server, client)):
            try:
                sender.do_handshake()
            except SSL.WantReadError:
                pass
            while True:
                try:
                    datagram = sender.bio_read(2048)
                except SSL.WantReadError:
                    break
                flights.append(datagram)
                receiver.bio_write(datagram)
    client.shutdown()
    try:
        flights.append(client.bio_read(2048))
    except SSL.WantReadError:
        pass
    return flights


def rtp(sequence, csrcs=0, extension=False, payload=b"\x11" * 160):
    first = 0x80 | (0x10 if extension else 0) | csrcs
    header = struct.pack("!BBHII", first, 111, sequence, sequence * 960, 0x11223344)
    header += b"".join(struct.pack("!I", 0x1000 + i) for i in range(csrcs))
    if extension:
        # One-byte header extension (RFC 8285), as browsers send abs-send-time and the audio level.
        header += struct.pack("!HH", 0xBEDE, 2) + bytes([0x22, 1, 2, 3, 0x31, 0x80, 0, 0])
    return header + payload


def rtcp():
    sender_report = struct.pack("!BBHIIIIII", 0x80, 200, 6, 0x11223344, 1, 2, 3, 4, 5)
    receiver_report = struct.pack("!BBHI", 0x81, 201, 7, 0x11223344) + struct.pack("!IIIIII", 0x55667788, 0, 1, 0, 0, 0)
    sdes = struct.pack("!BBHI", 0x81, 202, 3, 0x11223344) + b"\x01\x04fuzz\x00\x00"
    return [sender_report + sdes, receiver_report]


def srtp_packets():
    policy = pylibsrtp.Policy(
        key=SRTP_KEY + SRTP_SALT, ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND,
        srtp_profile=pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
    )
    session = pylibsrtp.Session(policy)
    media = [session.protect(rtp(1)), session.protect(rtp(2, csrcs=2)), session.protect(rtp(3, extension=True))]
    control = [session.protect_rtcp(packet) for packet in rtcp()]
    return media, control


def write(folder, seeds):
    os.makedirs(folder, exist_ok=True)
    for seed in seeds:
        with open(os.path.join(folder, hashlib.sha1(seed).hexdigest()), "wb") as file:
            file.write(seed)


def main(root):
    checks = stun_seeds()
    flights = dtls_flights()
    media, control = srtp_packets()
    write(os.path.join(root, "FuzzSTUN"), checks)
    write(os.path.join(root, "FuzzRoute"), checks + flights + media + control)
    # FuzzDTLS: an odd first byte for a new server (the ClientHello), even for the connected association.
    write(os.path.join(root, "FuzzDTLS"), [b"\x01" + flights[0]] + [b"\x00" + flight for flight in flights])
    write(os.path.join(root, "FuzzSRTP"), [b"\x00" + packet for packet in media] + [b"\x01" + packet for packet in control])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Fuzz/Corpus")
