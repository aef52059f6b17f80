#!/usr/bin/env python3
"""Test fixture for a moto S3 server (`python3 -m moto.server`), driven by Ferry's tests
(Tests/FerryTestSupport/MotoServer.swift) with boto3 as the reference client.

  moto-fixture.py setup ENDPOINT [--enforce-auth]
      Creates an IAM user allowed s3:*, and an access key for it, while moto still accepts
      anything; prints {"accessKeyID": ..., "secretAccessKey": ...}. With --enforce-auth it then
      turns moto's authentication on (POST /moto-api/reset-auth with 0 free actions): from then
      on every request must be signed with that key, and a wrong secret is refused with 403
      SignatureDoesNotMatch, an unknown key with 403 InvalidAccessKeyId.

  moto-fixture.py batch ENDPOINT ACCESS_KEY_ID SECRET_ACCESS_KEY < operations.json
      Runs a JSON list of operations with boto3 (path-style, us-east-1) and prints a JSON list of
      results: {"op": "create_bucket", "bucket": B}, {"op": "put", "bucket": B, "key": K,
      "body": BASE64} -> null; {"op": "get", "bucket": B, "key": K} -> BASE64 or null if missing.
"""

import base64
import concurrent.futures
import json
import sys
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

S3_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def client(service, endpoint, key_id, secret):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=botocore.config.Config(
            s3={"addressing_style": "path"}, retries={"max_attempts": 2}, max_pool_connections=16
        ),
    )


def setup(endpoint, enforce):
    iam = client("iam", endpoint, "setup", "setup")
    iam.create_user(UserName="ferry")
    iam.put_user_policy(UserName="ferry", PolicyName="s3-all", PolicyDocument=json.dumps(S3_ALL))
    key = iam.create_access_key(UserName="ferry")["AccessKey"]
    if enforce:
        request = urllib.request.Request(
            endpoint + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
        )
        urllib.request.urlopen(request).read()
    print(json.dumps({"accessKeyID": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}))


def batch(endpoint, key_id, secret):
    s3 = client("s3", endpoint, key_id, secret)
    operations = json.load(sys.stdin)
    if len(operations) > 1 and all(operation["op"] == "put" for operation in operations):
        # Many puts (a large bucket for a test): 16 at once; boto3 clients are thread-safe.
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda o: s3.put_object(Bucket=o["bucket"], Key=o["key"], Body=base64.b64decode(o["body"])), operations))
        print(json.dumps([None] * len(operations)))
        return
    results = []
    for operation in operations:
        kind, bucket = operation["op"], operation["bucket"]
        if kind == "create_bucket":
            s3.create_bucket(Bucket=bucket)
            results.append(None)
        elif kind == "put":
            s3.put_object(Bucket=bucket, Key=operation["key"], Body=base64.b64decode(operation["body"]))
            results.append(None)
        elif kind == "get":
            try:
                body = s3.get_object(Bucket=bucket, Key=operation["key"])["Body"].read()
                results.append(base64.b64encode(body).decode())
            except botocore.exceptions.ClientError as error:
                if error.response["Error"]["Code"] != "NoSuchKey":
                    raise
                results.append(None)
        else:
            raise SystemExit(f"unknown operation {kind}")
    print(json.dumps(results))


def main():
    command, endpoint = sys.argv[1], sys.argv[2]
    if command == "setup":
        setup(endpoint, "--enforce-auth" in sys.argv[3:])
    elif command == "batch":
        batch(endpoint, sys.argv[3], sys.argv[4])
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
