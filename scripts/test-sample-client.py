"""Offline tests of scripts/sample-client.py (the client of docs/PROTOCOL.md §14).

Replaces the client's socket with a scripted one and checks how a call ends when the server
sends GOAWAY and closes: UNAVAILABLE after NO_ERROR, ENHANCE_YOUR_CALM or KEEPALIVE_TIMEOUT (or no
GOAWAY at all), INTERNAL after PROTOCOL_ERROR, INTERNAL_ERROR, FRAME_SIZE_ERROR or an unknown
code (§10.2). Run: python3 scripts/test-sample-client.py; exits non-zero on a failure.
"""
import importlib.util
import pathlib
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in scripts/
PATH = pathlib.Path(__file__).with_name("sample-client.py")
spec = importlib.util.spec_from_file_location("sample_client", PATH)
client = importlib.util.module_from_spec(spec)
spec.loader.exec_module(client)


class ScriptedSocket:
    """Hands out `chunks` one recv() at a time, then end of file; swallows what is sent."""

    def __init__(self, chunks):
        self.chunks = list(chunks)

    def sendall(self, data):
        pass

    def settimeout(self, timeout):
        pass

    def selected_alpn_protocol(self):
        return "ferry/1"

    def recv(self, size):
        return self.chunks.pop(0) if self.chunks else b""


class ScriptedContext:
    """Stands in for ssl.SSLContext: wraps nothing, returns the scripted socket."""

    def __init__(self, sock):
        self.sock = sock

    def set_alpn_protocols(self, protocols):
        pass

    def load_cert_chain(self, certfile, keyfile=None):
        pass

    def wrap_socket(self, sock, server_hostname=None):
        return self.sock


def status_after(chunks):
    """The status code of a call whose connection delivers `chunks` and then closes."""
    sock = ScriptedSocket(chunks)
    client.ssl.create_default_context = lambda **kwargs: ScriptedContext(sock)
    client.socket.create_connection = lambda address, timeout=None: None
    conn = client.FerryConnection("localhost", 1, cafile="unused")
    try:
        conn.call("ferry.v1.Health/Check", [b""], timeout_s=5)
    except client.RpcError as error:
        return error.code
    return client.OK


def goaway(error_code):
    return client.frame(client.GOAWAY, 0, struct.pack(">III", 1, error_code, 0))


failures = []
expected = {None: client.UNAVAILABLE, 0: client.UNAVAILABLE, 1: client.INTERNAL, 2: client.INTERNAL,
            3: client.INTERNAL, 4: client.UNAVAILABLE, 5: client.UNAVAILABLE, 77: client.INTERNAL}
for error_code, status in expected.items():
    chunks = [client.settings_frame()] + ([] if error_code is None else [goaway(error_code)])
    got = status_after(chunks)
    if got != status:
        failures.append(f"GOAWAY {error_code} then close: status {got}, expected {status}")
if failures:
    sys.exit("\n".join(failures))
print(f"sample client: {len(expected)} connection endings map to the right status")
