#!/usr/bin/env python3
"""Loads small task objects into an S3 (moto) or GCS (fake-gcs-server) bucket, and measures how
fast a plain concurrent client fetches them back: the baseline `ferry-bench object-import`
compares Ferry's import against (and `list`, the one `ferry-bench dataset-scan` compares against).

  object_server_fixture.py load  --provider s3|gcs --endpoint URL --bucket B --count N [--threads 16]
  object_server_fixture.py fetch --provider s3|gcs --endpoint URL --bucket B [--threads 16]
  object_server_fixture.py list  --provider s3|gcs --endpoint URL --bucket B
  object_server_fixture.py serve --provider s3 --port P --bucket B --count N
  object_server_fixture.py stage --provider gcs --directory D --bucket B --count N
  object_server_fixture.py write --provider s3|local --endpoint URL|--directory D --bucket B --count N [--threads 16]

`write` measures the export baseline: it writes N export-sized objects (about 250 bytes each) with
--threads threads (boto3 put_object for S3; for local files each written to a temporary name and
renamed, as Ferry does) and prints the same JSON line as `fetch`.
`load` uploads over HTTP (slow: moto stores ~150 objects/s). For large runs, `serve` starts a moto
server in this process with the bucket already filled through moto's own backend, and `stage`
writes the objects as files for fake-gcs-server's `-data` directory, which it loads at start.

Objects are `bench/dNNN/tN.json`, each `{"text":"task N","n":N}`. `fetch` lists the bucket and
GETs every object with --threads threads (boto3 for S3, urllib for the GCS JSON API), then
prints one JSON line: {"objects": N, "seconds": S, "objects_per_second": R}. `list` only lists
the bucket, page after page (each page needs the previous page's token, so threads cannot help),
and prints the same line.
S3 credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (any value for moto).
"""
import argparse
import json
import os
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def key(index):
    return f"bench/d{index // 1000:03d}/t{index}.json"


def body(index):
    return json.dumps({"text": f"task {index}", "n": index}, separators=(",", ":")).encode()


def s3_client(endpoint, threads):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(max_pool_connections=threads, s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
    )


def s3_load(args):
    client = s3_client(args.endpoint, args.threads)
    try:
        client.create_bucket(Bucket=args.bucket)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(lambda i: client.put_object(Bucket=args.bucket, Key=key(i), Body=body(i)), range(args.count)))


def s3_serve(args):
    """A moto server on 127.0.0.1:PORT whose bucket holds the objects before the first request."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends
    from moto.server import main as moto_main

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    backend.create_bucket(args.bucket, "us-east-1")
    for index in range(args.count):
        backend.put_object(args.bucket, key(index), body(index))
    moto_main(["-H", "127.0.0.1", "-p", str(args.port)])


def gcs_stage(args):
    """The objects as files under DIRECTORY/BUCKET/, the layout fake-gcs-server's -data loads."""
    for index in range(args.count):
        path = os.path.join(args.directory, args.bucket, key(index))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(body(index))


def export_body(index):
    annotation = {"id": index, "task": index, "result": [{"value": {"choices": ["cat"]}}], "completed_by": "bench"}
    task = {"id": index, "data": {"text": f"task {index}"}, "annotations": [annotation]}
    return json.dumps(task, separators=(",", ":")).encode()


def write_objects(args):
    """Writes N export-sized objects with --threads threads; returns (count, seconds)."""
    if args.provider == "s3":
        client = s3_client(args.endpoint, args.threads)

        def write(index):
            client.put_object(Bucket=args.bucket, Key=f"baseline/{index}.json", Body=export_body(index))
    else:
        folder = os.path.join(args.directory, "baseline")
        os.makedirs(folder, exist_ok=True)

        def write(index):
            path = os.path.join(folder, f"{index}.json")
            with open(path + ".tmp", "wb") as handle:
                handle.write(export_body(index))
            os.replace(path + ".tmp", path)

    start = time.monotonic()
    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(write, range(args.count)))
    return args.count, time.monotonic() - start


def s3_keys(client, bucket):
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="bench/"):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return keys


def s3_list(args):
    client = s3_client(args.endpoint, 1)
    start = time.monotonic()
    return len(s3_keys(client, args.bucket)), time.monotonic() - start


def s3_fetch(args):
    client = s3_client(args.endpoint, args.threads)
    start = time.monotonic()
    keys = s3_keys(client, args.bucket)
    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(lambda k: client.get_object(Bucket=args.bucket, Key=k)["Body"].read(), keys))
    return len(keys), time.monotonic() - start


def gcs_request(method, url, data=None, content_type=None):
    request = urllib.request.Request(url, data=data, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def gcs_load(args):
    base = args.endpoint.rstrip("/")
    try:
        gcs_request("POST", f"{base}/storage/v1/b", json.dumps({"name": args.bucket}).encode(), "application/json")
    except urllib.error.HTTPError as error:
        if error.code != 409:
            raise

    def upload(index):
        name = urllib.parse.quote(key(index), safe="")
        url = f"{base}/upload/storage/v1/b/{args.bucket}/o?uploadType=media&name={name}"
        gcs_request("POST", url, body(index), "application/json")

    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(upload, range(args.count)))


def gcs_names(base, bucket):
    names, token = [], ""
    while True:
        query = {"prefix": "bench/", "maxResults": "1000"}
        if token:
            query["pageToken"] = token
        page = json.loads(gcs_request("GET", f"{base}/storage/v1/b/{bucket}/o?" + urllib.parse.urlencode(query)))
        names.extend(item["name"] for item in page.get("items", []))
        token = page.get("nextPageToken", "")
        if not token:
            return names


def gcs_list(args):
    start = time.monotonic()
    return len(gcs_names(args.endpoint.rstrip("/"), args.bucket)), time.monotonic() - start


def gcs_fetch(args):
    base = args.endpoint.rstrip("/")
    start = time.monotonic()
    names = gcs_names(base, args.bucket)

    def download(name):
        return gcs_request("GET", f"{base}/storage/v1/b/{args.bucket}/o/{urllib.parse.quote(name, safe='')}?alt=media")

    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(download, names))
    return len(names), time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["load", "fetch", "list", "serve", "stage", "write"])
    parser.add_argument("--provider", choices=["s3", "gcs", "local"], required=True)
    parser.add_argument("--endpoint")
    parser.add_argument("--port", type=int)
    parser.add_argument("--directory")
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    if args.action == "serve":
        if args.provider != "s3" or not args.port:
            parser.error("serve needs --provider s3 and --port")
        return s3_serve(args)
    if args.action == "stage":
        if args.provider != "gcs" or not args.directory:
            parser.error("stage needs --provider gcs and --directory")
        return gcs_stage(args)
    if args.action == "write":
        if (args.provider == "local") != bool(args.directory) or args.provider == "gcs":
            parser.error("write needs --provider s3 with --endpoint, or --provider local with --directory")
        count, seconds = write_objects(args)
        print(json.dumps({"objects": count, "seconds": round(seconds, 3), "objects_per_second": round(count / seconds, 1)}))
        return
    if not args.endpoint:
        parser.error(f"{args.action} needs --endpoint")
    if args.action == "load":
        (s3_load if args.provider == "s3" else gcs_load)(args)
        return
    if args.action == "list":
        count, seconds = (s3_list if args.provider == "s3" else gcs_list)(args)
    else:
        count, seconds = (s3_fetch if args.provider == "s3" else gcs_fetch)(args)
    print(json.dumps({"objects": count, "seconds": round(seconds, 3), "objects_per_second": round(count / seconds, 1)}))


if __name__ == "__main__":
    sys.exit(main())
