#!/usr/bin/env python3
"""A local stand-in for the Azure Blob service, for Ferry's tests (no Azure emulator is
installed here). It keeps containers in memory and serves, at an Azurite-style endpoint
`http://127.0.0.1:PORT/ACCOUNT`:

  GET    /ACCOUNT/CONTAINER?restype=container&comp=list[&prefix=&delimiter=&marker=&maxresults=]
  GET    /ACCOUNT/CONTAINER/BLOB       Get Blob
  PUT    /ACCOUNT/CONTAINER/BLOB       Put Blob (x-ms-blob-type: BlockBlob)
  DELETE /ACCOUNT/CONTAINER/BLOB       Delete Blob

Every such request must be authorized, and is checked with the official SDK's own code, not
Ferry's: a Shared Key `Authorization` header is recomputed by azure-storage-blob's
`SharedKeyCredentialPolicy` from the request as received; a request with a `sas_token`
(configured) must carry it; a service SAS (a presigned read) is re-signed with the SDK's
`BlobSharedAccessSignature` and its times checked. A mismatch gets 403 `AuthenticationFailed`
with the service's XML error body and `x-ms-error-code` header; an unknown container 404
`ContainerNotFound`, an unknown blob 404 `BlobNotFound`.

Test helpers, unauthenticated: `GET /__double/state` answers every blob as
{"container": {"name": BASE64}}; `GET /__double/requests` the requests served so far as
[{"method", "path", "query"}].

Usage: azure-blob-double.py CONFIG.json PORT, where CONFIG is {"account": NAME, "accountKey":
BASE64, "sasToken": TOKEN or null, "containers": {"name": {"blob": BASE64}}}. Binds 127.0.0.1:PORT
(a free port when PORT is 0), prints the port on a line of its own once it listens, and serves
until killed.
"""

import base64
import datetime
import hashlib
import json
import signal
import sys
import threading
import urllib.parse
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import azure.storage.blob._shared.authentication as authentication
import azure.storage.blob._shared_access_signature as blob_sas
from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.pipeline.transport import HttpRequest

CLOCK_SKEW = datetime.timedelta(minutes=15)


class Blob:
    def __init__(self, data, content_type="application/octet-stream"):
        self.data = data
        self.content_type = content_type
        self.last_modified = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        self.etag = "0x8D" + hashlib.sha256(data + self.last_modified.isoformat().encode()).hexdigest()[:13].upper()


class State:
    def __init__(self, config):
        self.account = config["account"]
        self.account_key = config["accountKey"]
        self.sas_token = config.get("sasToken")
        self.lock = threading.Lock()
        self.containers = {
            name: {blob: Blob(base64.b64decode(data)) for blob, data in blobs.items()}
            for name, blobs in config.get("containers", {}).items()
        }
        self.requests = []


class AuthenticationFailed(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None  # set in main

    def log_message(self, format, *args):
        sys.stderr.write("%s\n" % (format % args))

    def do_GET(self):
        self.handle_request()

    def do_PUT(self):
        self.handle_request()

    def do_DELETE(self):
        self.handle_request()

    # MARK: dispatch

    def handle_request(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        raw_path, _, raw_query = self.path.partition("?")
        query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
        if raw_path.startswith("/__double/"):
            return self.helper(raw_path)
        segments = raw_path.split("/", 3)  # "", account, container, blob
        if len(segments) < 3 or segments[1] != self.state.account or not segments[2]:
            return self.error(400, "InvalidUri", "The requested URI does not represent any resource on the server.")
        container = urllib.parse.unquote(segments[2])
        blob = urllib.parse.unquote(segments[3]) if len(segments) > 3 and segments[3] else None
        with self.state.lock:
            self.state.requests.append({"method": self.command, "path": raw_path, "query": query})
        try:
            self.authenticate(raw_query, query, container, blob)
        except AuthenticationFailed as failure:
            return self.error(
                403, "AuthenticationFailed",
                "Server failed to authenticate the request. Make sure the value of Authorization header is formed "
                "correctly including the signature.",
                detail=str(failure),
            )
        with self.state.lock:
            blobs = self.state.containers.get(container)
            if blobs is None:
                return self.error(404, "ContainerNotFound", "The specified container does not exist.")
            if blob is None:
                if self.command == "GET" and query.get("restype") == "container" and query.get("comp") == "list":
                    return self.list_blobs(blobs, query)
                return self.error(400, "UnsupportedHttpVerb", "The resource doesn't support the specified HTTP verb.")
            if self.command == "GET":
                return self.get_blob(blobs, blob)
            if self.command == "PUT":
                return self.put_blob(blobs, blob, body)
            return self.delete_blob(blobs, blob)

    # MARK: authentication, by the SDK's code

    def authenticate(self, raw_query, query, container, blob):
        if "sig" in query and query.get("sr") == "b":
            return self.check_service_sas(query, container, blob)
        if self.headers.get("Authorization") is None:
            if self.state.sas_token and self.state.sas_token in raw_query:
                return
            raise AuthenticationFailed("no Authorization header and no valid SAS token")
        if self.headers.get("x-ms-version") is None:
            raise AuthenticationFailed("x-ms-version is missing")
        date = parsedate_to_datetime(self.headers.get("x-ms-date") or "Thu, 01 Jan 1970 00:00:00 GMT")
        if abs(datetime.datetime.now(datetime.timezone.utc) - date) > CLOCK_SKEW:
            raise AuthenticationFailed("x-ms-date is missing or more than 15 minutes off")
        host = self.headers.get("Host", "127.0.0.1")
        request = HttpRequest(
            self.command, f"http://{host}{self.path}",
            headers={name: value for name, value in self.headers.items() if name.lower() != "authorization"},
        )
        authentication.SharedKeyCredentialPolicy(self.state.account, self.state.account_key).on_request(
            PipelineRequest(request, PipelineContext(None))
        )
        if request.headers["Authorization"] != self.headers.get("Authorization"):
            raise AuthenticationFailed("the Shared Key signature does not match")

    def check_service_sas(self, query, container, blob):
        if self.command != "GET" or blob is None or "r" not in query.get("sp", ""):
            raise AuthenticationFailed("the SAS does not allow this request")
        sas = blob_sas.BlobSharedAccessSignature(self.state.account, account_key=self.state.account_key)
        sas.x_ms_version = query.get("sv")
        token = sas.generate_blob(
            container, blob, permission=query.get("sp"), start=query.get("st"), expiry=query.get("se"),
            protocol=query.get("spr"),
        )
        expected = dict(urllib.parse.parse_qsl(token))
        if expected.get("sig") != query.get("sig"):
            raise AuthenticationFailed("the SAS signature does not match")
        now = datetime.datetime.now(datetime.timezone.utc)
        start = datetime.datetime.fromisoformat(query["st"].replace("Z", "+00:00")) if "st" in query else now
        expiry = datetime.datetime.fromisoformat(query["se"].replace("Z", "+00:00"))
        if not start <= now < expiry:
            raise AuthenticationFailed("the SAS is not valid at this time")

    # MARK: operations

    def list_blobs(self, blobs, query):
        prefix = query.get("prefix", "")
        delimiter = query.get("delimiter")
        marker = base64.urlsafe_b64decode(query["marker"]).decode() if query.get("marker") else ""
        max_results = int(query.get("maxresults", "5000"))
        entries = {}
        for name in sorted(blobs):
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix):]
            if delimiter and delimiter in rest:
                folder = prefix + rest.split(delimiter, 1)[0] + delimiter
                entries[folder] = None
            else:
                entries[name] = blobs[name]
        names = [name for name in sorted(entries) if name >= marker]
        page, after = names[:max_results], names[max_results:]
        items = []
        for name in page:
            blob = entries[name]
            if blob is None:
                items.append(f"<BlobPrefix><Name>{escape(name)}</Name></BlobPrefix>")
            else:
                items.append(
                    f"<Blob><Name>{escape(name)}</Name><Properties>"
                    f"<Last-Modified>{format_datetime(blob.last_modified, usegmt=True)}</Last-Modified>"
                    f"<Etag>{blob.etag}</Etag><Content-Length>{len(blob.data)}</Content-Length>"
                    f"<Content-Type>{escape(blob.content_type)}</Content-Type><BlobType>BlockBlob</BlobType>"
                    f"</Properties></Blob>"
                )
        next_marker = base64.urlsafe_b64encode(after[0].encode()).decode() if after else ""
        xml = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<EnumerationResults ServiceEndpoint="http://127.0.0.1/{self.state.account}" '
            f'ContainerName="{escape(query.get("container", ""))}">'
            f"<Prefix>{escape(prefix)}</Prefix><MaxResults>{max_results}</MaxResults>"
            f"<Blobs>{''.join(items)}</Blobs><NextMarker>{next_marker}</NextMarker></EnumerationResults>"
        )
        self.respond(200, xml.encode(), {"Content-Type": "application/xml"})

    def get_blob(self, blobs, name):
        blob = blobs.get(name)
        if blob is None:
            return self.error(404, "BlobNotFound", "The specified blob does not exist.")
        self.respond(200, blob.data, {
            "Content-Type": blob.content_type, "ETag": f'"{blob.etag}"', "x-ms-blob-type": "BlockBlob",
            "Last-Modified": format_datetime(blob.last_modified, usegmt=True),
        })

    def put_blob(self, blobs, name, body):
        if self.headers.get("x-ms-blob-type") != "BlockBlob":
            return self.error(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.")
        blob = Blob(body, self.headers.get("Content-Type") or "application/octet-stream")
        blobs[name] = blob
        self.respond(201, b"", {"ETag": f'"{blob.etag}"'})

    def delete_blob(self, blobs, name):
        if blobs.pop(name, None) is None:
            return self.error(404, "BlobNotFound", "The specified blob does not exist.")
        self.respond(202, b"")

    # MARK: helpers

    def helper(self, path):
        with self.state.lock:
            if path == "/__double/state":
                document = {
                    name: {blob: base64.b64encode(item.data).decode() for blob, item in blobs.items()}
                    for name, blobs in self.state.containers.items()
                }
            elif path == "/__double/requests":
                document = self.state.requests
            else:
                return self.respond(404, b"")
        self.respond(200, json.dumps(document).encode(), {"Content-Type": "application/json"})

    def error(self, status, code, message, detail=None):
        detail_xml = f"<AuthenticationErrorDetail>{escape(detail)}</AuthenticationErrorDetail>" if detail else ""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f"<Error><Code>{code}</Code><Message>{escape(message)}\nRequestId:00000000-0000-0000-0000-000000000000\n"
            f"Time:{datetime.datetime.now(datetime.timezone.utc).isoformat()}</Message>{detail_xml}</Error>"
        )
        self.respond(status, body.encode(), {"Content-Type": "application/xml", "x-ms-error-code": code})

    def respond(self, status, body, headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-ms-version", "2021-08-06")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def main():
    # A test process may start us with its thread's signals blocked; SIGTERM must still work.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    with open(sys.argv[1], encoding="utf-8") as file:
        Handler.state = State(json.load(file))
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
