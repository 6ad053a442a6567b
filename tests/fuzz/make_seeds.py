#!/usr/bin/env python3
"""Writes the seed corpora for the fuzz targets (RFC examples and hand-made edge cases).

Run from anywhere: python3 tests/fuzz/make_seeds.py. The seeds are committed; libFuzzer adds
what it finds to a scratch folder during CI, never to these.
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def frame(opcode, payload=b"", fin=True, rsv=0, mask=None, form=None):
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload)
    if form is None:
        form = 7 if n <= 125 else 16 if n <= 0xFFFF else 64
    mbit = 0x80 if mask is not None else 0
    if form == 7:
        head = bytes([b0, mbit | n])
    elif form == 16:
        head = bytes([b0, mbit | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, mbit | 127]) + struct.pack(">Q", n)
    if mask is not None:
        head += bytes(mask)
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + payload


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def decoder_seeds(masked):
    m = [0x37, 0xFA, 0x21, 0x3D] if masked else None
    close = struct.pack(">H", 1000) + b"bye"
    seeds = {
        "hello": frame(1, b"Hello", mask=m),
        "fragments": frame(1, b"Hel", fin=False, mask=m) + frame(0, b"lo", mask=m),
        "ping-between": frame(1, b"a", fin=False, mask=m) + frame(9, b"p", mask=m) + frame(0, b"b", mask=m),
        "close": frame(8, close, mask=m),
        "binary-256": frame(2, bytes(range(256)), mask=m),
        "nonminimal": frame(2, b"abc", mask=m, form=64),
        "rsv": frame(1, b"x", rsv=3, mask=m),
        "reserved-opcode": frame(5, b"", mask=m),
        "bad-utf8": frame(1, b"\xce\xba\xed\xa0\x80", mask=m),
        "deflate-hello": bytes.fromhex("c107f248cdc9c90700") if not masked else frame(1, bytes.fromhex("f248cdc9c90700"), rsv=4, mask=m),
        "deflate-bfinal": frame(1, bytes.fromhex("f348cdc9c9070000"), rsv=4, mask=m),
        "empty-close": frame(8, b"", mask=m),
        "huge-length": bytes([0x82, 0x7F | (0x80 if masked else 0)]) + struct.pack(">Q", 1 << 40),
    }
    # Flag byte first: 0 = plain, 1 = report mode, 4 = deflate, 8 = small limits.
    out = {}
    for name, wire in seeds.items():
        flags = 4 if "deflate" in name else 0
        out[name] = bytes([flags]) + wire
        out[name + "-report"] = bytes([flags | 1 | 0x60]) + wire
        out[name + "-small"] = bytes([flags | 8 | 0xA0]) + wire
    return out


for name, data in decoder_seeds(False).items():
    write("fuzz_decoder_client", name, data)
for name, data in decoder_seeds(True).items():
    write("fuzz_decoder_server", name, data)

ACCEPT = b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
responses = {
    "ok": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + ACCEPT + b"\r\n\x81\x00",
    "deflate": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + ACCEPT
    + b"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=10\r\n"
    + b"Sec-WebSocket-Protocol: chat\r\n\r\n",
    "iis-no-accept": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nServer: Microsoft-IIS/10.0\r\n\r\n",
    "iis-404": b"HTTP/1.1 404 Not Found\r\nServer: Microsoft-IIS/8.5\r\nContent-Type: text/html\r\n\r\n<h3>HTTP Error 404.0 - Not Found</h3>",
    "bare-lf": b"HTTP/1.1 101 OK\nUpgrade: websocket\nConnection: upgrade\n\n",
    "folding": b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n folded\r\n\r\n",
}
for name, data in responses.items():
    write("fuzz_handshake_response", name, data)

requests = {
    "ok": b"GET /chat HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Protocol: chat, superchat\r\n"
    b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, permessage-deflate\r\n\r\n",
    "version-8": b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
    "unterminated-quote": b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Extensions: permessage-deflate; x=\"abc\r\n\r\n",
    "post": b"POST / HTTP/1.1\r\nHost: a\r\n\r\n",
}
for name, data in requests.items():
    write("fuzz_handshake_request", name, data)

extensions = {
    "default": b"permessage-deflate",
    "all": b"permessage-deflate; client_no_context_takeover; server_no_context_takeover; "
    b"client_max_window_bits=9; server_max_window_bits=10",
    "fallback": b"permessage-deflate; server_max_window_bits=8, permessage-deflate; client_max_window_bits, permessage-deflate",
    "quoted": b'permessage-deflate; server_max_window_bits="12", foo; bar="baz"',
    "duplicate": b"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
    "unterminated": b'permessage-deflate; a="b',
}
for name, data in extensions.items():
    write("fuzz_extension_header", name, data)

inflate = {
    "hello": b"\x00" + bytes.fromhex("f248cdc9c90700"),
    "stored": b"\x01" + bytes.fromhex("000500faff48656c6c6f00"),
    "bfinal": b"\x02" + bytes.fromhex("f348cdc9c9070000"),
    "two-blocks": b"\x03" + bytes.fromhex("f248050000 00ffff cac9c90700".replace(" ", "")),
    "reserved-block": b"\x04" + bytes.fromhex("ffffff"),
}
for name, data in inflate.items():
    write("fuzz_inflate", name, data)

utf8 = {
    "kosme": "κόσμε".encode(),
    "mixed": "Grüße 日本語 🙂".encode(),
    "surrogate": b"\xed\xa0\x80",
    "overlong": b"\xc0\xaf",
    "max": b"\xf4\x8f\xbf\xbf",
    "above-max": b"\xf4\x90\x80\x80",
    "ascii-long": b"a" * 40 + b"\xe2\x82\xac" + b"b" * 40,
}
for name, data in utf8.items():
    write("fuzz_utf8", name, data)

# First byte: bit 0 = no context takeover, the rest picks window bits; 0xFF separates messages.
roundtrip = {
    "empties": b"\x00\xff\xffhello\xff\xffhello hello",
    "json": b'\x03{"id":1,"v":"abcabcabc"}\xff{"id":2,"v":"abcabcabc"}',
    "random": bytes((i * 7919 + 13) % 255 for i in range(3000)),
}
for name, data in roundtrip.items():
    write("fuzz_deflate_roundtrip", name, data)
