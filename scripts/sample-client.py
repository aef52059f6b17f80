import socket, ssl, struct, time

SETTINGS, REQUEST_HEADERS, RESPONSE_HEADERS, MESSAGE, END_STREAM, TRAILERS, CANCEL, PING, GOAWAY = range(9)
ACK, OK, CANCELLED, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE = 0x01, 0, 1, 4, 13, 14

class RpcError(Exception):
    def __init__(self, code, message="", trailers=()):
        super().__init__(f"status {code}: {message}")
        self.code, self.message, self.trailers = code, message, list(trailers)

def frame(ftype, stream_id, payload=b"", flags=0):
    return struct.pack(">IBBI", len(payload), ftype, flags, stream_id) + payload

def encode_metadata(entries):
    out = struct.pack(">H", len(entries))
    for key, value in entries:
        k, v = key.encode("ascii"), value.encode("utf-8")
        out += struct.pack(">H", len(k)) + k + struct.pack(">I", len(v)) + v
    return out

def decode_metadata(buf, off=0):
    (count,), off, entries = struct.unpack_from(">H", buf, off), off + 2, []
    for _ in range(count):
        (klen,) = struct.unpack_from(">H", buf, off); key = buf[off + 2:off + 2 + klen].decode("ascii"); off += 2 + klen
        (vlen,) = struct.unpack_from(">I", buf, off); entries.append((key, buf[off + 4:off + 4 + vlen].decode("utf-8"))); off += 4 + vlen
    return entries

def settings_frame(max_streams=100, max_message=4194304):
    return frame(SETTINGS, 0, struct.pack(">HIHI", 0x0001, max_streams, 0x0002, max_message))

def request_headers_frame(stream_id, path, timeout_s, metadata):
    p = path.encode("utf-8")
    timeout_us = 0 if timeout_s is None else max(1, round(timeout_s * 1_000_000))
    return frame(REQUEST_HEADERS, stream_id, struct.pack(">H", len(p)) + p + struct.pack(">Q", timeout_us) + encode_metadata(metadata))

class FerryConnection:
    def __init__(self, host, port, cafile, certfile=None, keyfile=None):
        ctx = ssl.create_default_context(cafile=cafile)   # verifies the chain and the host name
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_alpn_protocols(["ferry/1"])
        if certfile:
            ctx.load_cert_chain(certfile, keyfile)         # mTLS (workers)
        self.sock = ctx.wrap_socket(socket.create_connection((host, port), timeout=10), server_hostname=host)
        if self.sock.selected_alpn_protocol() != "ferry/1":
            raise ConnectionError("server did not negotiate ALPN ferry/1")
        self.sock.sendall(settings_frame())                # connection preface
        self.buf, self.next_id, self.goaway = bytearray(), 1, None  # goaway: the GOAWAY's error_code, once one arrives
        self.peer_settings = {0x0001: 100, 0x0002: 4194304}  # defaults until the server's SETTINGS arrives

    def read_frame(self, deadline):
        while True:
            if len(self.buf) >= 10:
                length, ftype, flags, sid = struct.unpack_from(">IBBI", self.buf)
                if len(self.buf) >= 10 + length:
                    payload = bytes(self.buf[10:10 + length]); del self.buf[:10 + length]
                    return ftype, flags, sid, payload
            self.sock.settimeout(None if deadline is None else max(deadline - time.monotonic(), 0.001))
            chunk = self.sock.recv(65536)                  # raises TimeoutError at the deadline
            if not chunk:  # no GOAWAY, NO_ERROR, ENHANCE_YOUR_CALM, KEEPALIVE_TIMEOUT -> UNAVAILABLE; other codes -> INTERNAL
                raise RpcError(UNAVAILABLE if self.goaway in (None, 0, 4, 5) else INTERNAL, "connection closed")
            self.buf += chunk

    def call(self, path, requests, metadata=(), timeout_s=None):
        """Sends all request messages, half-closes, returns (responses, headers, trailers)."""
        if self.goaway is not None:
            raise RpcError(UNAVAILABLE, "connection is draining; open a new one")
        if any(len(r) > self.peer_settings[0x0002] for r in requests):
            raise RpcError(8, "request message larger than the server's MAX_MESSAGE_SIZE")
        sid, self.next_id = self.next_id, self.next_id + 2
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        self.sock.sendall(request_headers_frame(sid, path, timeout_s, list(metadata))
                          + b"".join(frame(MESSAGE, sid, r) for r in requests) + frame(END_STREAM, sid))
        headers, responses = [], []
        while True:
            try:
                ftype, flags, fsid, payload = self.read_frame(deadline)
            except TimeoutError:
                self.sock.settimeout(None)
                self.sock.sendall(frame(CANCEL, sid, struct.pack(">I", DEADLINE_EXCEEDED)))
                raise RpcError(DEADLINE_EXCEEDED, "deadline exceeded (client)")
            if ftype == PING and not flags & ACK:
                self.sock.sendall(frame(PING, 0, payload, ACK))  # keepalive: answer promptly
            elif ftype == SETTINGS:
                for off in range(0, len(payload), 6):
                    key, value = struct.unpack_from(">HI", payload, off)
                    self.peer_settings[key] = value
            elif ftype == GOAWAY:    # streams <= last_stream_id still complete; new calls need a new connection
                self.goaway = struct.unpack_from(">II", payload)[1]
            elif fsid != sid:
                continue             # a late frame for an earlier, already finished stream
            elif ftype == RESPONSE_HEADERS:
                headers = decode_metadata(payload)
            elif ftype == MESSAGE:
                responses.append(payload)
            elif ftype == TRAILERS:
                code, mlen = struct.unpack_from(">II", payload)
                message, trailers = payload[8:8 + mlen].decode("utf-8"), decode_metadata(payload, 8 + mlen)
                if code != OK:
                    raise RpcError(code if code <= 16 else 2, message, trailers)
                return responses, headers, trailers

    def unary(self, path, request, metadata=(), timeout_s=None):
        responses, headers, trailers = self.call(path, [request], metadata, timeout_s)
        if len(responses) != 1:
            raise RpcError(INTERNAL, f"unary call returned {len(responses)} messages")
        return responses[0]

if __name__ == "__main__":
    import sys   # usage: ferry_client.py PORT CA_FILE [TOKEN]
    conn = FerryConnection("localhost", int(sys.argv[1]), cafile=sys.argv[2])
    reply = conn.unary("ferry.v1.Health/Check", b"", [("authorization", "Bearer dev-token")], timeout_s=5)
    print("HealthCheckResponse bytes:", reply.hex(" "), "-> SERVING" if reply == b"\x08\x02" else "")
    if len(sys.argv) > 3:  # StorageService needs a reader or admin token; ListStoragesRequest{} encodes to no bytes
        reply = conn.unary("ferry.v1.StorageService/ListStorages", b"", [("authorization", "Bearer " + sys.argv[3])], timeout_s=5)
        print("ListStoragesResponse bytes:", reply.hex(" ") or "(none: no storages)")
