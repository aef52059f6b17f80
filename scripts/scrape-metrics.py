#!/usr/bin/env python3
"""Scrapes a Prometheus text endpoint and prints its samples as JSON.

    scripts/scrape-metrics.py http://127.0.0.1:9464/metrics

Parses with prometheus_client's own parser, so a page it cannot parse fails (exit 1, the
parser's error on stderr) instead of printing samples. Output: a JSON list of
{"name": ..., "labels": {...}, "value": ...}, one per sample (histograms give their _bucket,
_count and _sum samples). Used by the metrics tests; handy by hand too.
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
        content_type = response.headers.get("content-type", "")
        text = response.read().decode("utf-8")
    if not content_type.startswith("text/plain"):
        print(f"unexpected content-type {content_type!r}", file=sys.stderr)
        return 1
    try:
        samples = [
            {"name": sample.name, "labels": sample.labels, "value": sample.value}
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        ]
    except Exception as error:  # the parser raises ValueError and others on bad input
        print(f"cannot parse the page: {error}", file=sys.stderr)
        return 1
    json.dump(samples, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
