#!/usr/bin/env python3
"""Generates the Swift value types of Ferry's protobuf messages and their protobuf-c bridges.

Usage:
    scripts/generate-swift-messages.py --proto-root Proto --out Sources/FerryProto/Generated

Reads every `*.proto` file under the proto root (the subset of proto3 that Ferry uses, see
below) and writes two Swift files per .proto file into the output directory:

    <Name>.pb.swift          public structs and enums, Swift types only
    <Name>+CBridge.pb.swift  internal conversions to and from the protoc-c structs

The output directory is emptied of `*.swift` first, so a removed .proto leaves no stale file.
Normally run through scripts/generate-protos.sh, which runs protoc-c first; both outputs are
committed and checked by scripts/check-protos.sh.

The supported subset (anything else is rejected with a message that names the file and line):
- `syntax = "proto3";`, one `package` shared by all files, `import "...";`;
- top-level `enum`, `message` and `service` declarations (no nesting);
- fields `[repeated] <type> <name> = <number>;` of any scalar type, an enum or a message;
- `reserved` numbers, ranges and names;
- `rpc Name([stream] In) returns ([stream] Out);` in services (checked, not emitted);
- `//` comments: a block right above a declaration, or at the end of its line, becomes its
  documentation; a comment starting with `// ---` is a section heading.
Rejected: `map<>`, `oneof`, `optional` (protoc-c 1.4.1 lacks proto3 optional), options, nested
declarations, enum aliases, and recursive messages (protobuf-c unpacks recursively, so a
recursive schema would let a peer choose the stack depth).

The code lives in scripts/protogen/ (model, parser, names, schema checks, Swift emitter); this
file is the command line. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__

from protogen.model import ProtoError, Service  # noqa: E402
from protogen.parser import Parser  # noqa: E402
from protogen.schema import Schema  # noqa: E402
from protogen.swift import SwiftEmitter  # noqa: E402


def swift_file_stem(proto_path: str) -> str:
    stem = pathlib.PurePosixPath(proto_path).stem
    return "".join(part[:1].upper() + part[1:] for part in stem.split("_"))


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--proto-root", required=True, type=pathlib.Path)
    arguments.add_argument("--out", required=True, type=pathlib.Path)
    options = arguments.parse_args()

    paths = sorted(options.proto_root.rglob("*.proto"))
    if not paths:
        print(f"error: no .proto files under {options.proto_root}", file=sys.stderr)
        return 1
    try:
        files = []
        for path in paths:
            relative = path.relative_to(options.proto_root).as_posix()
            files.append(Parser(relative, path.read_text(encoding="utf-8")).parse())
        schema = Schema(files)
    except ProtoError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    emitter = SwiftEmitter(schema)
    outputs: dict[str, str] = {}
    for proto in files:
        stem = swift_file_stem(proto.path)
        if not any(not isinstance(d, Service) for d in proto.declarations):
            continue  # services only: nothing to emit
        outputs[f"{stem}.pb.swift"] = emitter.types_file(proto)
        outputs[f"{stem}+CBridge.pb.swift"] = emitter.bridge_file(proto)

    options.out.mkdir(parents=True, exist_ok=True)
    for stale in options.out.glob("*.swift"):
        stale.unlink()
    for name, text in sorted(outputs.items()):
        (options.out / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
