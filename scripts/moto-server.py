#!/usr/bin/env python3
"""`python3 -m moto.server` (moto 5.2.1) with one fix to its signature check, for Ferry's tests.

With authentication enforced, moto recomputes each request's Signature Version 4 from the URL
as its web framework hands it over, which is already percent-decoded: `prefix=data%2F` comes back
as `prefix=data/`, a key `a%2Bb` as `a+b`. Its canonical request then differs from the one any
correct client signed, so moto refuses valid requests with SignatureDoesNotMatch, boto3's too
(`list_objects_v2(Prefix="data/")`, `Delimiter="/"`, keys with `+`, `=`, `&`, `:` or non-ASCII).

The fix encodes the decoded path and query again the way Signature Version 4 requires (every
byte but `A-Z a-z 0-9 - _ . ~` as `%XX`, `/` kept in the path) before moto signs them. Nothing is
relaxed: the signature is still recomputed from the secret and compared in full, so a wrong
secret or a tampered request is still refused.

Usage: moto-server.py -H 127.0.0.1 -p PORT (the same arguments as moto.server).
"""

from urllib.parse import quote, unquote

from moto.iam import access_control
from moto.server import main

_create_aws_request = access_control.IAMRequestBase._create_aws_request


def _sigv4_encoded(path_and_query):
    path, _, query = path_and_query.partition("?")
    encoded = quote(unquote(path), safe="/~")
    if query:
        pairs = []
        for pair in query.split("&"):
            name, separator, value = pair.partition("=")
            pairs.append(quote(unquote(name), safe="-_.~") + separator + quote(unquote(value), safe="-_.~"))
        encoded += "?" + "&".join(pairs)
    return encoded


def _create_encoded_aws_request(self):
    request = _create_aws_request(self)
    request.url = _sigv4_encoded(request.url)
    return request


access_control.IAMRequestBase._create_aws_request = _create_encoded_aws_request

if __name__ == "__main__":
    main()
