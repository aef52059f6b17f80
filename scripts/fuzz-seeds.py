#!/usr/bin/env python3
"""Generates the fuzz seed corpus in Fuzz/corpus/ (python3 standard library only).

    scripts/fuzz-seeds.py           rewrite Fuzz/corpus/frames and Fuzz/corpus/messages
    scripts/fuzz-seeds.py --check   exit 1 if the committed corpus differs from what this makes

Frame seeds (Fuzz/corpus/frames/) use the FrameFuzzer input format: one control byte (low
nibble: number of chunk-size bytes, bits 4-6: a shift), the chunk sizes, then the byte stream
(see Fuzz/FrameFuzzer/FrameFuzzer.swift). Each stream is written whole, and some also split
into small chunks. They cover every frame type of docs/PROTOCOL.md §4 (including the §13 worked
example bytes, checked here against what this script builds), and invalid variants: truncated,
too large, unknown type, wrong stream, bad lengths, bad UTF-8, bad metadata keys, oversized
MESSAGEs that the decoder skips.

Message seeds (Fuzz/corpus/messages/) use the MessageFuzzer input format: one byte selecting
the message type (its index among all ferry.v1 messages sorted by full name), then the
protobuf encoding. The messages and fields come from parsing Proto/ferry/v1/*.proto, so every
message gets an empty seed, a seed with every field set, and one with repeated fields holding
two elements and an unknown field appended.
"""

import pathlib
import re
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "Fuzz" / "corpus"
PROTO_DIR = ROOT / "Proto" / "ferry" / "v1"
MESSAGE_FUZZER = ROOT / "Fuzz" / "MessageFuzzer" / "MessageFuzzer.swift"

# MARK: Frames (docs/PROTOCOL.md §3-5)

SETTINGS, REQUEST_HEADERS, RESPONSE_HEADERS, MESSAGE, END_STREAM, TRAILERS, CANCEL, PING, GOAWAY = range(9)
MAX_FRAME_MESSAGE = 1 << 16  # FrameFuzzer's maxMessageSize


def frame(ftype, stream_id, payload=b"", flags=0, length=None):
    """One frame; `length` overrides the header's length field."""
    return struct.pack(">IBBI", len(payload) if length is None else length, ftype, flags, stream_id) + payload


def metadata(entries):
    out = struct.pack(">H", len(entries))
    for key, value in entries:
        key, value = key.encode() if isinstance(key, str) else key, value.encode() if isinstance(value, str) else value
        out += struct.pack(">H", len(key)) + key + struct.pack(">I", len(value)) + value
    return out


def settings(entries):
    return frame(SETTINGS, 0, b"".join(struct.pack(">HI", i, v) for i, v in entries))


def request_headers(stream_id, path, timeout_us, meta):
    path = path.encode() if isinstance(path, str) else path
    return frame(REQUEST_HEADERS, stream_id, struct.pack(">H", len(path)) + path + struct.pack(">Q", timeout_us) + metadata(meta))


def trailers(stream_id, code, message, meta):
    message = message.encode() if isinstance(message, str) else message
    return frame(TRAILERS, stream_id, struct.pack(">II", code, len(message)) + message + metadata(meta))


def goaway(last_stream_id, code, debug):
    debug = debug.encode() if isinstance(debug, str) else debug
    return frame(GOAWAY, 0, struct.pack(">III", last_stream_id, code, len(debug)) + debug)


def hexbytes(text):
    return bytes.fromhex(" ".join(line.split("  ")[1] if "  " in line else line for line in text.strip().splitlines()))


# docs/PROTOCOL.md §13, copied from the document's hex dumps.
WORKED_CLIENT = hexbytes("""
0000  00 00 00 0c 00 00 00 00 00 00 00 01 00 00 00 64
0010  00 02 00 40 00 00 00 00 00 44 01 00 00 00 00 01
0020  00 15 66 65 72 72 79 2e 76 31 2e 48 65 61 6c 74
0030  68 2f 43 68 65 63 6b 00 00 00 00 00 4c 4b 40 00
0040  01 00 0d 61 75 74 68 6f 72 69 7a 61 74 69 6f 6e
0050  00 00 00 10 42 65 61 72 65 72 20 64 65 76 2d 74
0060  6f 6b 65 6e 00 00 00 00 03 00 00 00 00 01 00 00
0070  00 00 04 00 00 00 00 01
""")
WORKED_SERVER = hexbytes("""
0000  00 00 00 0c 00 00 00 00 00 00 00 01 00 00 00 64
0010  00 02 00 40 00 00 00 00 00 02 02 00 00 00 00 01
0020  00 00 00 00 00 02 03 00 00 00 00 01 08 02 00 00
0030  00 0a 05 00 00 00 00 01 00 00 00 00 00 00 00 00
0040  00 00
""")


def frame_streams():
    """(name, stream bytes, split) for every frame seed; `split` also writes chunked variants."""
    default_settings = settings([(1, 100), (2, 4194304)])
    c2 = request_headers(1, "ferry.v1.Health/Check", 5_000_000, [("authorization", "Bearer dev-token")])
    client = default_settings + c2 + frame(MESSAGE, 1) + frame(END_STREAM, 1)
    server = (default_settings + frame(RESPONSE_HEADERS, 1, metadata([])) + frame(MESSAGE, 1, b"\x08\x02")
              + trailers(1, 0, "", []))
    assert client == WORKED_CLIENT, "the frame builder disagrees with PROTOCOL.md §13.1"
    assert server == WORKED_SERVER, "the frame builder disagrees with PROTOCOL.md §13.2"

    ping = frame(PING, 0, bytes(range(1, 9)))
    ping_ack = frame(PING, 0, bytes(range(1, 9)), flags=1)
    cancel = frame(CANCEL, 3, struct.pack(">I", 4))
    goaway_ok = goaway(5, 0, "shutdown")
    unauthenticated = trailers(5, 16, "missing token", [])
    big_message = frame(MESSAGE, 7, bytes(i % 251 for i in range(MAX_FRAME_MESSAGE)))
    oversized = frame(MESSAGE, 9, bytes(MAX_FRAME_MESSAGE + 1))

    valid = [
        ("worked-example-client", WORKED_CLIENT, True),
        ("worked-example-server", WORKED_SERVER, True),
        ("settings-default", default_settings, False),
        ("settings-empty", settings([]), False),
        ("settings-unknown-and-repeated-ids", settings([(1, 7), (0x7777, 1), (2, 1024), (1, 0xFFFFFFFF)]), False),
        ("request-headers-worked-example", c2, False),
        ("request-headers-no-deadline-no-metadata", request_headers(3, "ferry.v1.StorageService/ListStorages", 0, []), False),
        ("request-headers-max-timeout-repeated-keys", request_headers(
            0x7FFFFFFF, "ferry.v1.WorkerService/Heartbeat", 0xFFFFFFFFFFFFFFFF,
            [("authorization", "Bearer t"), ("x-trace", "a"), ("x-trace", "b"), ("k.v_1-x", "\u00e9\u65e5\U0001F600")]), True),
        ("response-headers-empty", frame(RESPONSE_HEADERS, 1, metadata([])), False),
        ("response-headers-metadata", frame(RESPONSE_HEADERS, 1, metadata([("server", "ferryd"), ("x", "")])), False),
        ("message-empty", frame(MESSAGE, 1), False),
        ("message-health-serving", frame(MESSAGE, 1, b"\x08\x02"), False),
        ("message-at-limit", big_message, False),
        ("end-stream", frame(END_STREAM, 1), False),
        ("trailers-ok", trailers(1, 0, "", []), False),
        ("trailers-unauthenticated", unauthenticated, False),
        ("trailers-details-and-unknown-code", trailers(
            3, 99, "d\u00e9tails", [("ferry-status-details-bin", "CAIQAQ=="), ("retry-after", "1")]), False),
        ("cancel-deadline", cancel, False),
        ("ping", ping, False),
        ("ping-ack", ping_ack, False),
        ("ping-other-flags", frame(PING, 0, b"\xff" * 8, flags=0xFE), False),
        ("goaway-no-error", goaway_ok, False),
        ("goaway-protocol-error", goaway(0, 1, ""), False),
        ("goaway-unknown-code", goaway(0xFFFFFFFF, 77, "x" * 300), False),
        ("every-type", default_settings + c2 + frame(RESPONSE_HEADERS, 1, metadata([("a", "b")]))
            + frame(MESSAGE, 1, b"\x08\x02") + frame(END_STREAM, 1) + unauthenticated + cancel + ping + ping_ack
            + goaway_ok, True),
        ("oversized-message-then-ping", oversized + ping, False),
        ("oversized-message-huge-length", frame(MESSAGE, 1, length=0xFFFFFFFF) + b"\x00" * 64, True),
        ("oversized-message-header-only", frame(MESSAGE, 1, length=MAX_FRAME_MESSAGE + 1), False),
    ]
    invalid = [
        ("bad-unknown-type", frame(9, 1, b"abc"), False),
        ("bad-unknown-type-ff", frame(0xFF, 0), False),
        ("bad-control-frame-too-large", frame(SETTINGS, 0, length=65537), False),
        ("bad-goaway-too-large", frame(GOAWAY, 0, length=0xFFFFFFFF), False),
        ("bad-truncated-header", default_settings[:7], False),
        ("bad-truncated-payload", c2[:-5], False),
        ("bad-settings-length-7", frame(SETTINGS, 0, b"\x00\x01\x00\x00\x00\x64\x00"), False),
        ("bad-settings-on-stream-1", frame(SETTINGS, 1), False),
        ("bad-message-on-stream-0", frame(MESSAGE, 0, b"\x08\x02"), False),
        ("bad-ping-length-7", frame(PING, 0, bytes(7)), False),
        ("bad-ping-length-9", frame(PING, 0, bytes(9)), False),
        ("bad-cancel-trailing-byte", frame(CANCEL, 3, bytes(5)), False),
        ("bad-end-stream-payload", frame(END_STREAM, 1, b"\x00"), False),
        ("bad-path-not-utf8", request_headers(1, b"ferry.v1.H\xff/Check", 0, []), False),
        ("bad-path-length-overrun", frame(REQUEST_HEADERS, 1, b"\x7f\xff" + b"ferry"), False),
        ("bad-metadata-key-uppercase", request_headers(1, "a/b", 0, [("Authorization", "x")]), False),
        ("bad-metadata-key-empty", frame(RESPONSE_HEADERS, 1, metadata([("", "x")])), False),
        ("bad-metadata-count-overrun", frame(RESPONSE_HEADERS, 1, b"\x00\x05" + metadata([("a", "b")])[2:]), False),
        ("bad-metadata-value-not-utf8", frame(RESPONSE_HEADERS, 1, metadata([("a", b"\xc3\x28")])), False),
        ("bad-trailers-message-overrun", frame(TRAILERS, 1, struct.pack(">II", 0, 0xFFFFFFFF) + b"abc"), False),
        ("bad-goaway-debug-overrun", frame(GOAWAY, 0, struct.pack(">III", 1, 0, 100) + b"abc"), False),
        ("bad-garbage-instead-of-frames", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(32), False),
        ("bad-after-valid-frames", WORKED_CLIENT + frame(9, 0), True),
    ]
    return valid + invalid


def frame_seeds():
    seeds = {}
    for name, stream, split in frame_streams():
        seeds[f"{name}.bin"] = b"\x00" + stream
        if split:
            seeds[f"{name}.split-1.bin"] = b"\x01\x00" + stream  # one byte at a time
            seeds[f"{name}.split-mixed.bin"] = b"\x04\x00\x02\x09\x30" + stream  # 1, 3, 10, 49, ...
            seeds[f"{name}.split-large.bin"] = b"\x72\x03\x7f" + stream  # (4, 128) << 7
    return seeds


# MARK: Messages (Proto/ferry/v1/*.proto)

SCALAR_SAMPLES = {
    "int64": [1, -2, 0x7FFFFFFFFFFFFFFF], "int32": [1, -2, 0x7FFFFFFF], "uint64": [1, 2, 0xFFFFFFFFFFFFFFFF],
    "uint32": [1, 2, 0xFFFFFFFF], "bool": [1, 1, 1], "string": ["x", "h\u00e9llo \u65e5\u672c", "a" * 40],
    "bytes": [b"\x00\x01", b"\xff" * 3, b""],
}


def parse_protos():
    """Returns (messages, enums): messages maps a name to [(label, type, name, number)]."""
    messages, enums = {}, set()
    for path in sorted(PROTO_DIR.glob("*.proto")):
        text = re.sub(r"//[^\n]*", "", path.read_text())
        for kind, name, body in re.findall(r"\b(message|enum|service)\s+(\w+)\s*\{([^{}]*)\}", text):
            if kind == "enum":
                enums.add(name)
            elif kind == "message":
                assert name not in messages, name
                messages[name] = [
                    (label.strip(), ftype.split(".")[-1], fname, int(number))
                    for label, ftype, fname, number in re.findall(
                        r"(repeated\s+)?([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;", body)
                ]
        assert "{" not in re.sub(r"\b(message|enum|service)\s+\w+\s*\{[^{}]*\}", "", text), f"nested braces in {path}"
    return messages, enums


def varint(value):
    value &= (1 << 64) - 1  # negative int32/int64 are sign-extended to 10 bytes
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def key(number, wire_type):
    return varint(number << 3 | wire_type)


def length_delimited(number, payload):
    return key(number, 2) + varint(len(payload)) + payload


def encode_message(name, messages, enums, depth, variant):
    """Encodes `name` with every field set; sub-messages down to `depth` levels."""
    out = b""
    for label, ftype, fname, number in messages[name]:
        count = 2 if (label == "repeated" and variant == 1) else 1
        if ftype in messages:
            if depth == 0:
                continue
            for _ in range(count):
                out += length_delimited(number, encode_message(ftype, messages, enums, depth - 1, variant))
        elif ftype in ("string", "bytes"):
            for i in range(count):
                value = SCALAR_SAMPLES[ftype][(variant + i) % 3]
                out += length_delimited(number, value.encode() if isinstance(value, str) else value)
        elif ftype in enums or ftype in SCALAR_SAMPLES:
            values = [((variant + i) % 3 + 1) if ftype in enums else SCALAR_SAMPLES[ftype][(variant + i) % 3]
                      for i in range(count)]
            if label == "repeated":  # proto3 packs repeated scalars
                out += length_delimited(number, b"".join(varint(v) for v in values))
            else:
                out += key(number, 0) + varint(values[0])
        else:
            raise SystemExit(f"{name}.{fname}: unsupported type {ftype}")
    return out


def message_seeds():
    messages, enums = parse_protos()
    names = sorted(f"ferry.v1.{name}" for name in messages)
    harness = set(re.findall(r"FerryV1\.(\w+)\.self", MESSAGE_FUZZER.read_text()))
    if harness != {name.split(".")[-1] for name in names}:
        raise SystemExit(f"MessageFuzzer's table and the .proto files disagree: "
                         f"{sorted(harness ^ {n.split('.')[-1] for n in names})}")
    assert len(names) < 256
    seeds = {}
    for index, full_name in enumerate(names):
        name = full_name.split(".")[-1]
        seeds[f"{index:03d}-{name}-empty.bin"] = bytes([index])
        seeds[f"{index:03d}-{name}-full.bin"] = bytes([index]) + encode_message(name, messages, enums, 3, 0)
        unknown = key(1000, 0) + varint(7) + length_delimited(1001, b"unknown")
        seeds[f"{index:03d}-{name}-repeated-unknown.bin"] = (
            bytes([index]) + encode_message(name, messages, enums, 2, 1) + unknown)
    return seeds


def main():
    check = "--check" in sys.argv[1:]
    differs = False
    for directory, seeds in (("frames", frame_seeds()), ("messages", message_seeds())):
        target = CORPUS / directory
        existing = {p.name: p.read_bytes() for p in target.glob("*.bin")} if target.exists() else {}
        if check:
            if existing != seeds:
                differs = True
                print(f"Fuzz/corpus/{directory} is not what scripts/fuzz-seeds.py generates", file=sys.stderr)
            continue
        target.mkdir(parents=True, exist_ok=True)
        for stale in set(existing) - set(seeds):
            (target / stale).unlink()
        for name, data in seeds.items():
            if existing.get(name) != data:
                (target / name).write_bytes(data)
        print(f"Fuzz/corpus/{directory}: {len(seeds)} seeds, {sum(map(len, seeds.values()))} bytes")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
