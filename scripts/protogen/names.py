"""Swift and protoc-c spellings of proto names."""

from __future__ import annotations

import re

SCALARS = {
    # proto type: (Swift type, Swift default)
    "double": ("Double", "0"),
    "float": ("Float", "0"),
    "int32": ("Int32", "0"),
    "int64": ("Int64", "0"),
    "uint32": ("UInt32", "0"),
    "uint64": ("UInt64", "0"),
    "sint32": ("Int32", "0"),
    "sint64": ("Int64", "0"),
    "fixed32": ("UInt32", "0"),
    "fixed64": ("UInt64", "0"),
    "sfixed32": ("Int32", "0"),
    "sfixed64": ("Int64", "0"),
    "bool": ("Bool", "false"),
    "string": ("String", '""'),
    "bytes": ("[UInt8]", "[]"),
}

# Segments spelled as acronyms in Swift names (Swift API guidelines: uniform case).
ACRONYMS = {
    "id": "ID",
    "ids": "IDs",
    "url": "URL",
    "urls": "URLs",
    "uri": "URI",
    "ttl": "TTL",
    "json": "JSON",
    "tls": "TLS",
    "kms": "KMS",
    "sse": "SSE",
}

SWIFT_KEYWORDS = set(
    """
    associatedtype class deinit enum extension fileprivate func import init inout internal let
    open operator private precedencegroup protocol public rethrows static struct subscript
    typealias var break case catch continue default defer do else fallthrough for guard if in
    repeat return throw switch where while Any as await false is nil self Self super throws true
    try Type Protocol
    """.split()
)

# protoc-c appends "_" to C++ keywords used as field names; rejecting them keeps the C and
# Swift names identical.
C_KEYWORDS = set(
    """
    alignas alignof and and_eq asm auto bitand bitor bool break case catch char char16_t
    char32_t class compl const constexpr const_cast continue decltype default delete do double
    dynamic_cast else enum explicit export extern false float for friend goto if inline int long
    mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected public
    register reinterpret_cast return short signed sizeof static static_assert static_cast struct
    switch template this thread_local throw true try typedef typeid typename union unsigned using
    virtual void volatile wchar_t while xor xor_eq
    """.split()
)

RESERVED_SWIFT_MEMBERS = {"protobufBytes", "protoMessageName", "hashValue"}


def escape(name: str) -> str:
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def lower_camel(snake: str) -> str:
    """`storage_id` -> `storageID`, `use_blob_urls` -> `useBlobURLs`, `azure_blob` -> `azureBlob`."""
    parts = [part for part in snake.lower().split("_") if part]
    result = parts[0]
    for part in parts[1:]:
        result += ACRONYMS.get(part, part[:1].upper() + part[1:])
    return result


def upper_snake(camel: str) -> str:
    """`StorageKind` -> `STORAGE_KIND`, `S3Location` -> `S3_LOCATION`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", camel).upper()


def protoc_c_camel_to_lower(name: str) -> str:
    """protoc-c's CamelToLower: `StorageSpec` -> `storage_spec`, `GCSLocation` -> `gcslocation`."""
    result = ""
    was_upper = True
    for character in name:
        is_upper = character.isupper()
        if is_upper:
            if not was_upper:
                result += "_"
            result += character.lower()
        else:
            result += character
        was_upper = is_upper
    return result


def protoc_c_to_camel(name: str) -> str:
    """protoc-c's ToCamel: `ferry` -> `Ferry`, `v1` -> `V1`."""
    result = ""
    next_upper = True
    for character in name:
        if character == "_":
            next_upper = True
        elif next_upper:
            result += character.upper()
            next_upper = False
        else:
            result += character
    return result


class Names:
    """Swift and C spellings of the declarations of one package."""

    def __init__(self, package: str):
        self.package = package
        self.pieces = package.split(".")
        self.namespace = "".join(protoc_c_to_camel(piece) for piece in self.pieces)

    def c_type(self, name: str) -> str:
        return "__".join([protoc_c_to_camel(piece) for piece in self.pieces] + [name])

    def c_function(self, name: str, suffix: str) -> str:
        pieces = [protoc_c_camel_to_lower(piece) for piece in self.pieces]
        return "__".join(pieces + [protoc_c_camel_to_lower(name), suffix])

    def swift_type(self, name: str) -> str:
        return f"{self.namespace}.{name}"

    def full_name(self, name: str) -> str:
        return f"{self.package}.{name}"
