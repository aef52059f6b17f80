#!/usr/bin/env python3
"""Writes Azure Blob Storage signing vectors made by azure-storage-blob, the official SDK.

Shared Key: each vector is a request described the way Ferry's Azure client builds one
(endpoint, container, blob name, query parameters, headers, a fixed x-ms-date) and what the
SDK's own `SharedKeyCredentialPolicy` makes of it: the URL (blob URLs come from the SDK's
`BlobClient.url`, so the blob name's percent-encoding is the SDK's too), the string to sign and
the `Authorization` header. Nothing is sent.

Service SAS: `generate_blob_sas` with fixed start and expiry, both at the SDK's own service
version and at the version Ferry signs with (`2021-08-06`), and the string the SDK signed.

Usage: scripts/vectors/make-azure-vectors.py [OUTPUT]
(default Tests/FerryProvidersTests/Vectors/azure-blob.json). Needs azure-storage-blob.
"""

import base64
import datetime
import json
import os
import sys

import azure.storage.blob
import azure.storage.blob._shared.authentication as authentication
import azure.storage.blob._shared_access_signature as blob_sas
from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.pipeline.transport import HttpRequest
from azure.storage.blob import BlobClient, generate_blob_sas

ACCOUNT = "ferrytest"
# A fixed 64-byte key, base64 as the portal shows account keys.
ACCOUNT_KEY = base64.b64encode(bytes(range(7, 7 + 64))).decode()
X_MS_DATE = "Mon, 01 Jun 2026 12:00:00 GMT"
X_MS_VERSION = "2021-08-06"
PUBLIC_ENDPOINT = f"https://{ACCOUNT}.blob.core.windows.net"
AZURITE_ENDPOINT = "http://127.0.0.1:10000/devstoreaccount1"

signed_strings = []
_sign_string = authentication.sign_string


def recording_sign_string(key, string_to_sign, key_is_base64=True):
    signed_strings.append(string_to_sign)
    return _sign_string(key, string_to_sign, key_is_base64)


# Each module that signs imported sign_string by name.
authentication.sign_string = recording_sign_string
blob_sas.sign_string = recording_sign_string


def container_url(endpoint, container):
    return f"{endpoint}/{container}"


def blob_url(endpoint, container, blob):
    return BlobClient(endpoint, container, blob).url


def shared_key_vector(name, method, endpoint, container, blob=None, query=(), headers=None, account=ACCOUNT):
    headers = dict(headers or {})
    headers["x-ms-date"] = X_MS_DATE
    headers["x-ms-version"] = X_MS_VERSION
    url = blob_url(endpoint, container, blob) if blob is not None else container_url(endpoint, container)
    request = HttpRequest(method, url, headers=headers)
    if query:
        request.format_parameters(dict(query))
    signed_strings.clear()
    authentication.SharedKeyCredentialPolicy(account, ACCOUNT_KEY).on_request(
        PipelineRequest(request, PipelineContext(None))
    )
    return {
        "name": name,
        "request": {
            "account": account,
            "method": method,
            "endpoint": endpoint,
            "container": container,
            "blob": blob,
            "query": [list(pair) for pair in query],
            "headers": {k: v for k, v in headers.items() if k not in ("x-ms-date", "x-ms-version")},
            "xMsDate": X_MS_DATE,
            "xMsVersion": X_MS_VERSION,
        },
        "expected": {
            # With a query, only the path is worth comparing: the SDK encodes query values later.
            "url": request.url,
            "stringToSign": signed_strings[-1],
            "authorization": request.headers["Authorization"],
        },
    }


def sas_vector(name, container, blob, start, expiry, protocol, version=None):
    signed_strings.clear()
    if version is None:
        token = generate_blob_sas(
            ACCOUNT, container, blob, account_key=ACCOUNT_KEY, permission="r",
            start=start, expiry=expiry, protocol=protocol,
        )
    else:
        # generate_blob_sas always signs with the SDK's newest service version; the class it uses
        # takes the version as an attribute.
        sas = blob_sas.BlobSharedAccessSignature(ACCOUNT, account_key=ACCOUNT_KEY)
        sas.x_ms_version = version
        token = sas.generate_blob(container, blob, permission="r", start=start, expiry=expiry, protocol=protocol)
    fields = dict(pair.split("=", 1) for pair in token.split("&"))
    return {
        "name": name,
        "request": {
            "account": ACCOUNT,
            "container": container,
            "blob": blob,
            "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expiry": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "protocol": protocol,
            "version": version or fields["sv"],
        },
        "expected": {"token": token, "stringToSign": signed_strings[-1]},
    }


def main():
    output = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "Tests", "FerryProvidersTests", "Vectors", "azure-blob.json"
    )
    body = b'{"text": "hello"}'
    shared_key = [
        shared_key_vector(
            "list blobs, recursive, first page", "GET", PUBLIC_ENDPOINT, "data",
            query=[("restype", "container"), ("comp", "list"), ("prefix", "in/"), ("maxresults", "100")],
        ),
        shared_key_vector(
            "list blobs, one level, with a marker", "GET", PUBLIC_ENDPOINT, "data",
            query=[
                ("restype", "container"), ("comp", "list"), ("prefix", "in/a b/"), ("delimiter", "/"),
                ("marker", "2!96!MDAwMDExIWluL2EgYi9jLmpzb24hMDAwMDI4ITk5OTktMTItMzFUMjM6NTk6NTkuOTk5OTk5OVoh"),
                ("maxresults", "5000"),
            ],
        ),
        shared_key_vector("get blob", "GET", PUBLIC_ENDPOINT, "data", blob="in/task-1.json"),
        shared_key_vector(
            "put blob with a body and a content type", "PUT", PUBLIC_ENDPOINT, "data", blob="out/result 1.json",
            headers={
                "Content-Length": str(len(body)),
                "Content-Type": "application/json",
                "x-ms-blob-type": "BlockBlob",
            },
        ),
        shared_key_vector("delete blob", "DELETE", PUBLIC_ENDPOINT, "data", blob="out/result 1.json"),
        shared_key_vector(
            "blob name with spaces, unicode and reserved characters", "GET", PUBLIC_ENDPOINT, "data",
            blob="in/été 2026/naïve + résumé & 東京 (1)=~.json",
        ),
        shared_key_vector(
            "azurite-style endpoint: the account in the path", "GET", AZURITE_ENDPOINT, "data", blob="x.json",
            account="devstoreaccount1",
        ),
        shared_key_vector(
            "azurite-style endpoint: list", "GET", AZURITE_ENDPOINT, "data",
            query=[("restype", "container"), ("comp", "list"), ("maxresults", "2")],
            account="devstoreaccount1",
        ),
    ]
    start = datetime.datetime(2026, 6, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
    sas = [
        sas_vector("read, https and http, Ferry's version", "data", "in/task-1.json", start,
                   start + datetime.timedelta(hours=1), "https,http", X_MS_VERSION),
        sas_vector("read, https only, Ferry's version, unicode name", "data", "in/été 2026/東京 + x.json", start,
                   start + datetime.timedelta(days=7), "https", X_MS_VERSION),
        sas_vector("read, the SDK's own version", "data", "in/task-1.json", start,
                   start + datetime.timedelta(minutes=15), "https"),
    ]
    document = {
        "generator": f"azure-storage-blob {azure.storage.blob.__version__}",
        "accountKey": ACCOUNT_KEY,
        "sharedKey": shared_key,
        "serviceSAS": sas,
    }
    with open(output, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=2, ensure_ascii=False)
        file.write("\n")


if __name__ == "__main__":
    main()
