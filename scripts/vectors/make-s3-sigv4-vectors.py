#!/usr/bin/env python3
"""Writes S3 Signature Version 4 test vectors signed by botocore, the reference implementation.

Each vector is a request described the way Ferry's S3 client builds one (bucket, key, query
parameters, extra headers, body, addressing, endpoint, region, credentials, a fixed clock) and what
a real boto3 S3 client sends for it: the URL and the signing headers (Authorization, X-Amz-Date,
X-Amz-Content-SHA256, X-Amz-Security-Token), or the presigned URL. The client never sends
anything: a `before-send` hook records the signed request and answers it with an empty 200.

Usage: scripts/vectors/make-s3-sigv4-vectors.py [OUTPUT]
(default Tests/FerryProvidersTests/Vectors/s3-sigv4.json). Needs botocore/boto3 (they come with
moto, see scripts/install-deps.sh).
"""

import datetime
import json
import os
import sys

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config

ACCESS_KEY_ID = "AKIDEXAMPLEFERRY0001"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEJr//////////wEaDFerryTestSessionToken+/=="
# 2026-05-01T12:34:56Z: a fixed clock for every vector.
FIXED_TIME = datetime.datetime(2026, 5, 1, 12, 34, 56)
# Headers the Python SDK adds that Ferry does not send; dropped before signing so that the
# signed header set is the one Ferry signs.
SDK_ONLY_HEADERS = ("User-Agent", "amz-sdk-invocation-id", "amz-sdk-request")


def fixed_now(remove_tzinfo=True):
    return FIXED_TIME if remove_tzinfo else FIXED_TIME.replace(tzinfo=datetime.timezone.utc)


botocore.auth.get_current_datetime = fixed_now


def client(region, endpoint, path_style, session_token):
    config = botocore.config.Config(
        signature_version="s3v4",
        s3={
            "addressing_style": "path" if path_style else "virtual",
            "us_east_1_regional_endpoint": "regional",
        },
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": 1, "mode": "standard"},
    )
    session = boto3.session.Session(
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
        aws_session_token=session_token,
        region_name=region,
    )
    s3 = session.client("s3", endpoint_url=endpoint or None, config=config)

    def drop_sdk_headers(request, **_):
        for name in SDK_ONLY_HEADERS:
            if name in request.headers:
                del request.headers[name]

    s3.meta.events.register_first("before-sign.s3", drop_sdk_headers)
    return s3


def signed(name, operation, params, *, region="us-east-1", endpoint="", path_style=False,
           session_token=None, ferry):
    """Runs one client call and records the request it would have sent."""
    s3 = client(region, endpoint, path_style, session_token)
    captured = {}

    def capture(request, **_):
        captured["url"] = request.url
        captured["headers"] = {
            k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()
        }
        body = b"<ListBucketResult/>" if operation == "list_objects_v2" else b""
        return botocore.awsrequest.AWSResponse(request.url, 200, {}, _Raw(body))

    s3.meta.events.register("before-send.s3", capture)
    getattr(s3, operation)(**params)
    headers = captured["headers"]
    return {
        "name": name,
        "kind": "headers",
        "request": dict(ferry, **_common(region, endpoint, path_style, session_token)),
        "expected": {
            "url": captured["url"],
            "signedHeaders": {
                key: headers[key]
                for key in ("authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token")
                if key in headers
            },
        },
    }


def presigned(name, params, expires, *, region="us-east-1", endpoint="", path_style=False,
              session_token=None):
    """A presigned GET URL for one object."""
    s3 = client(region, endpoint, path_style, session_token)
    url = s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)
    ferry = {"method": "GET", "bucket": params["Bucket"], "key": params["Key"], "expiresIn": expires}
    return {
        "name": name,
        "kind": "presigned",
        "request": dict(ferry, **_common(region, endpoint, path_style, session_token)),
        "expected": {"url": url},
    }


def _common(region, endpoint, path_style, session_token):
    return {
        "region": region,
        "endpoint": endpoint,
        "pathStyle": path_style,
        "accessKeyID": ACCESS_KEY_ID,
        "secretAccessKey": SECRET_ACCESS_KEY,
        "sessionToken": session_token,
        "unixSeconds": int(FIXED_TIME.replace(tzinfo=datetime.timezone.utc).timestamp()),
    }


class _Raw:
    def __init__(self, body):
        self._body = body

    def stream(self, **_):
        yield self._body


def vectors():
    odd_key = "dir/a b+c~d/é ü (1)=x&y.json"
    return [
        signed(
            "get, virtual-hosted, us-east-1", "get_object", {"Bucket": "ferry-data", "Key": "tasks/one.json"},
            ferry={"method": "GET", "bucket": "ferry-data", "key": "tasks/one.json", "query": [], "headers": {}, "body": ""},
        ),
        signed(
            "list with query, path-style custom endpoint", "list_objects_v2",
            {"Bucket": "ferry-data", "Prefix": "tasks/sub dir/", "ContinuationToken": "1/abc+def==",
             "MaxKeys": 2, "Delimiter": "/"},
            endpoint="http://127.0.0.1:9000", path_style=True,
            ferry={"method": "GET", "bucket": "ferry-data", "key": None,
                   "query": [["list-type", "2"], ["prefix", "tasks/sub dir/"], ["continuation-token", "1/abc+def=="],
                             ["max-keys", "2"], ["delimiter", "/"],
                             # botocore always asks for URL-encoded keys in listings.
                             ["encoding-type", "url"]],
                   "headers": {}, "body": ""},
        ),
        signed(
            "put with body and KMS, virtual-hosted, eu-west-1", "put_object",
            {"Bucket": "ferry-export", "Key": "out/1.json", "Body": b'{"id": 1}', "ContentType": "application/json",
             "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "arn:aws:kms:eu-west-1:111122223333:key/ferry"},
            region="eu-west-1",
            ferry={"method": "PUT", "bucket": "ferry-export", "key": "out/1.json", "query": [],
                   "headers": {"content-type": "application/json", "x-amz-server-side-encryption": "aws:kms",
                               "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:eu-west-1:111122223333:key/ferry"},
                   "body": '{"id": 1}'},
        ),
        signed(
            "get, key with spaces, unicode, plus and tilde, path-style https endpoint with port", "get_object",
            {"Bucket": "ferry-data", "Key": odd_key},
            region="us-west-2", endpoint="https://minio.example.com:9443", path_style=True,
            ferry={"method": "GET", "bucket": "ferry-data", "key": odd_key, "query": [], "headers": {}, "body": ""},
        ),
        signed(
            "get, same odd key, virtual-hosted", "get_object", {"Bucket": "ferry-data", "Key": odd_key},
            region="us-west-2",
            ferry={"method": "GET", "bucket": "ferry-data", "key": odd_key, "query": [], "headers": {}, "body": ""},
        ),
        signed(
            "get with a session token", "get_object", {"Bucket": "ferry-data", "Key": "tasks/one.json"},
            region="ap-southeast-2", session_token=SESSION_TOKEN,
            ferry={"method": "GET", "bucket": "ferry-data", "key": "tasks/one.json", "query": [], "headers": {}, "body": ""},
        ),
        signed(
            "delete, virtual-hosted on a custom endpoint", "delete_object", {"Bucket": "ferry-data", "Key": "old/x.json"},
            endpoint="http://storage.internal:8080",
            ferry={"method": "DELETE", "bucket": "ferry-data", "key": "old/x.json", "query": [], "headers": {}, "body": ""},
        ),
        presigned("presigned, virtual-hosted, one hour", {"Bucket": "ferry-data", "Key": "tasks/one.json"}, 3600),
        presigned(
            "presigned, odd key, path-style custom endpoint, ten minutes", {"Bucket": "ferry-data", "Key": odd_key}, 600,
            region="us-west-2", endpoint="http://127.0.0.1:9000", path_style=True,
        ),
        presigned(
            "presigned with a session token", {"Bucket": "ferry-data", "Key": "a/b c.json"}, 900,
            region="eu-central-1", session_token=SESSION_TOKEN,
        ),
    ]


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    output = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        root, "Tests/FerryProvidersTests/Vectors/s3-sigv4.json")
    document = {
        "generator": "scripts/vectors/make-s3-sigv4-vectors.py",
        "botocore": botocore.__version__,
        "vectors": vectors(),
    }
    with open(output, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=2, ensure_ascii=False)
        file.write("\n")
    print(f"wrote {len(document['vectors'])} vectors to {output}")


if __name__ == "__main__":
    main()
