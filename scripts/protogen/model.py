"""The parsed form of a .proto file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Doc:
    """Comment text attached to a declaration."""

    lines: list[str] = field(default_factory=list)
    section: list[str] = field(default_factory=list)  # `// ---` heading above it, if any


@dataclass
class EnumValue:
    name: str
    number: int
    doc: Doc
    line: int


@dataclass
class Enum:
    name: str
    doc: Doc
    values: list[EnumValue]
    file: "ProtoFile"
    line: int


@dataclass
class Field:
    name: str
    number: int
    type_name: str
    repeated: bool
    doc: Doc
    line: int


@dataclass
class Message:
    name: str
    doc: Doc
    fields: list[Field]
    file: "ProtoFile"
    line: int


@dataclass
class Method:
    name: str
    input: str
    output: str
    client_streaming: bool
    server_streaming: bool
    line: int


@dataclass
class Service:
    name: str
    doc: Doc
    methods: list[Method]
    line: int


@dataclass
class ProtoFile:
    path: str  # relative to the proto root, e.g. ferry/v1/storage.proto
    package: str = ""
    imports: list[str] = field(default_factory=list)
    doc: list[str] = field(default_factory=list)
    declarations: list[object] = field(default_factory=list)  # Enum | Message | Service, in order


class ProtoError(Exception):
    """A problem in a .proto file, reported as `path:line: message`."""
