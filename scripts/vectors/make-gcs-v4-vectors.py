#!/usr/bin/env python3
"""Writes Google Cloud Storage V4 signed-URL test vectors made by google-cloud-storage.

Each vector is one object of a bucket, an expiry and an endpoint, and the URL that
`Blob.generate_signed_url(version="v4", method="GET")` of the reference Python library makes for
it with a service-account key at a fixed clock. Ferry's signer must reproduce every URL exactly
(Tests/FerryProvidersTests/GCSSignedURLVectorTests.swift).

The key is a throwaway RSA key made for these vectors only: it belongs to no Google account and
is committed beside the vectors as `gcs-TEST-ONLY-service-account-key.json`. The script reuses it
when it exists, so the vectors change only when the library's output does; delete it to make a
new one.

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

KEY_FILE = "gcs-TEST-ONLY-service-account-key.json"
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


def test_key(directory):
    """The committed throwaway key, or a new one written beside the vectors."""
    path = os.path.join(directory, KEY_FILE)
    if os.path.exists(path):
        with open(path) as handle:
            return json.load(handle)
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    key = {
        "type": "service_account",
        "project_id": "ferry-test-only",
        "private_key_id": "0000000000000000000000000000000000test",
        "private_key": pem,
        "client_email": "ferry-vectors@ferry-test-only.iam.gserviceaccount.com",
        "client_id": "000000000000000000000",
        "token_uri": "https://oauth2.googleapis.com/token",
        "_comment": "A THROWAWAY TEST KEY made by scripts/vectors/make-gcs-v4-vectors.py; it grants nothing.",
    }
    with open(path, "w") as handle:
        json.dump(key, handle, indent=2)
        handle.write("\n")
    return key


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
    key = test_key(directory)
    credentials = service_account.Credentials.from_service_account_info(key)
    vectors = [
        {
            "bucket": bucket,
            "key": name,
            "expires_in_seconds": seconds,
            "endpoint_url": endpoint or "",
            "url": signed_url(credentials, bucket, name, seconds, endpoint),
        }
        for bucket, name, seconds, endpoint in CASES
    ]
    document = {
        "generator": f"google-cloud-storage {storage.__version__}",
        "key_file": KEY_FILE,
        "now_unix_seconds": int(FIXED_TIME.timestamp()),
        "vectors": vectors,
    }
    with open(os.path.join(directory, VECTORS_FILE), "w") as handle:
        json.dump(document, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


if __name__ == "__main__":
    main()
