#!/usr/bin/env bash
# Checks that the committed generated code matches Proto/: regenerates everything into a
# temporary directory with scripts/generate-protos.sh and compares it with
#   Sources/CFerryProto/  and  Sources/FerryProto/Generated/
# Exits 0 when they are identical, 1 (with the differences) when they are not, and 2 when the
# code could not be generated (e.g. the wrong protoc-c version).
#
# Usage: scripts/check-protos.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ferry-check-protos.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

if ! "$root/scripts/generate-protos.sh" --out "$scratch" >/dev/null; then
    echo "check-protos: could not regenerate the protobuf code (see the error above)." >&2
    exit 2
fi

status=0
for dir in Sources/CFerryProto Sources/FerryProto/Generated; do
    if ! diff -ru "$root/$dir" "$scratch/$dir" >"$scratch/diff.txt" 2>&1; then
        status=1
        echo "check-protos: $dir is out of date with Proto/ (or was edited by hand)." >&2
        head -n 60 "$scratch/diff.txt" | sed "s|$scratch/|regenerated:|g; s|$root/||g" >&2
        lines=$(wc -l <"$scratch/diff.txt")
        [ "$lines" -le 60 ] || echo "... ($lines lines of diff in all)" >&2
    fi
done

if [ "$status" -ne 0 ]; then
    echo >&2
    echo "check-protos: FAILED. Run scripts/generate-protos.sh and commit the result." >&2
    exit 1
fi
echo "check-protos: generated code is up to date."
