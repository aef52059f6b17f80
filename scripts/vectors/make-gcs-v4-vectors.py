#!/usr/bin/env python3
"""Writes Google Cloud Storage V4 signed-URL test vectors made by google-cloud-storage.

Each vector is one object of a bucket, an expiry and an endpoint, the URL that
`Blob.generate_signed_url(version="v4", method="GET")` of the reference Python library makes for
it at a fixed clock, and the exact string the library handed to the key to sign. Ferry's signer
must reproduce the URL up to its signature and the string to sign byte for byte, and the
vector's signature must verify against the public key recorded in the file
(Tests/FerryProvidersTests/GCSSignedURLVectorTests.swift).

The signing key is a throwaway RSA key made in memory by each run; only its public half is
written, so no private key is ever committed (and every run writes new signatures).

Usage: scripts/vectors/make-gcs-v4-vectors.py [OUTPUT_DIRECTORY]
(default Tests/FerryProvidersTests/Vectors). Needs google-cloud-storage and google-auth from
PyPI, for this script only (a virtual environment is enough):
    python3 -m venv /tmp/gcs-vectors && /tmp/gcs-vectors/bin/pip install google-cloud-storage google-auth
    /tmp/gcs-vectors/bin/python scripts/vectors/make-gcs-v4-vectors.py
"""

import datetime
import json
import os
import sys
from unittest import mock

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.cloud import storage
from google.cloud.storage import _signing
from google.oauth2 import service_account

VECTORS_FILE = "gcs-v4-signed-urls.json"
# 2026-05-01T12:34:56Z: a fixed clock for every vector.
FIXED_TIME = datetime.datetime(2026, 5, 1, 12, 34, 56, tzinfo=datetime.timezone.utc)

CASES = [
    # (bucket, object name, expiry in seconds, endpoint or None for Google's)
    ("ferry-vectors", "tasks/one.json", 900, None),
    ("ferry-vectors", "a b/c+d=e&f?g#h.json", 3600, None),
    ("ferry-vectors", "unicode/naïve café/日本.json", 60, None),
    ("ferry-vectors", "tilde~and-dots_./x.y", 604800, None),
    ("ferry-vectors", "pct%20literal/%2F", 7, None),
    ("bucket.with.dots", "deep/nested/prefix/file.jsonl", 86400, None),
    ("ferry-vectors", "tasks/one.json", 900, "http://127.0.0.1:4443"),
    ("ferry-vectors", "x/y z.json", 120, "https://storage.example.internal:8443"),
]


CLIENT_EMAIL = "ferry-vectors@ferry-test-only.iam.gserviceaccount.com"


def throwaway_key():
    """A service-account key made in memory for this run; it belongs to no Google account."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
    info = {
        "type": "service_account",
        "project_id": "ferry-test-only",
        "private_key_id": "0000000000000000000000000000000000test",
        "private_key": pem,
        "client_email": CLIENT_EMAIL,
        "client_id": "000000000000000000000",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return info, public_pem


class RecordingSigner:
    """Wraps the credentials' signer and keeps the last bytes the library asked it to sign."""

    def __init__(self, signer):
        self.signer = signer
        self.key_id = signer.key_id
        self.last_signed = None

    def sign(self, message):
        self.last_signed = message
        return self.signer.sign(message)


def signed_url(credentials, bucket_name, name, seconds, endpoint):
    client = storage.Client(project="ferry-test-only", credentials=credentials)
    blob = client.bucket(bucket_name).blob(name)
    with mock.patch.object(_signing, "_NOW", lambda tz=None: FIXED_TIME):
        return blob.generate_signed_url(
            version="v4",
            method="GET",
            expiration=datetime.timedelta(seconds=seconds),
            credentials=credentials,
            api_access_endpoint=endpoint or "https://storage.googleapis.com",
        )


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "Tests/FerryProvidersTests/Vectors"
    os.makedirs(directory, exist_ok=True)
    info, public_pem = throwaway_key()
    credentials = service_account.Credentials.from_service_account_info(info)
    recorder = RecordingSigner(credentials.signer)
    credentials._signer = recorder
    vectors = []
    for bucket, name, seconds, endpoint in CASES:
        url = signed_url(credentials, bucket, name, seconds, endpoint)
        vectors.append(
            {
                "bucket": bucket,
                "key": name,
                "expires_in_seconds": seconds,
                "endpoint_url": endpoint or "",
                "string_to_sign": recorder.last_signed.decode("utf-8"),
                "url": url,
            }
        )
    document = {
        "generator": f"google-cloud-storage {storage.__version__}",
        "client_email": CLIENT_EMAIL,
        "public_key_pem": public_pem,
        "now_unix_seconds": int(FIXED_TIME.timestamp()),
        "vectors": vectors,
    }
    with open(os.path.join(directory, VECTORS_FILE), "w") as handle:
        json.dump(document, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


if __name__ == "__main__":
    main()
