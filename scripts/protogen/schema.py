"""Cross-file checks of the parsed schema: resolution, naming rules, no recursion."""

from __future__ import annotations

import re

from .model import Enum, EnumValue, Field, Message, ProtoError, ProtoFile, Service
from .names import C_KEYWORDS, RESERVED_SWIFT_MEMBERS, SCALARS, Names, lower_camel, upper_snake


class Schema:
    def __init__(self, files: list[ProtoFile]):
        self.files = files
        packages = {f.package for f in files}
        if len(packages) != 1:
            raise ProtoError(f"all files must share one package, found {sorted(packages)}")
        self.names = Names(packages.pop())
        self.enums: dict[str, Enum] = {}
        self.messages: dict[str, Message] = {}
        for proto in files:
            for declaration in proto.declarations:
                if isinstance(declaration, Service):
                    continue
                name = declaration.name
                if name in self.enums or name in self.messages:
                    raise ProtoError(f"{proto.path}:{declaration.line}: {name} is declared twice")
                if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
                    raise ProtoError(f"{proto.path}:{declaration.line}: {name} must be UpperCamelCase")
                if isinstance(declaration, Enum):
                    self.enums[name] = declaration
                else:
                    self.messages[name] = declaration
        for enum in self.enums.values():
            self.check_enum(enum)
        for message in self.messages.values():
            self.check_message(message)
        for proto in files:
            for declaration in proto.declarations:
                if isinstance(declaration, Service):
                    self.check_service(proto, declaration)
        self.check_acyclic()

    def resolve(self, type_name: str) -> str:
        """The simple name of a package-local type, from `X`, `ferry.v1.X` or `.ferry.v1.X`."""
        name = type_name.lstrip(".")
        prefix = self.names.package + "."
        if name.startswith(prefix):
            name = name[len(prefix):]
        return name

    def check_enum(self, enum: Enum) -> None:
        where = f"{enum.file.path}:{enum.line}"
        prefix = upper_snake(enum.name) + "_"
        if not enum.values or enum.values[0].number != 0 or enum.values[0].name != prefix + "UNSPECIFIED":
            raise ProtoError(f"{where}: the first value of {enum.name} must be {prefix}UNSPECIFIED = 0")
        numbers: set[int] = set()
        cases: set[str] = set()
        for value in enum.values:
            if not value.name.startswith(prefix):
                raise ProtoError(f"{enum.file.path}:{value.line}: {value.name} must start with {prefix}")
            if value.number in numbers:
                raise ProtoError(f"{enum.file.path}:{value.line}: aliases are not supported ({value.number})")
            if not -(2**31) <= value.number < 2**31:
                raise ProtoError(f"{enum.file.path}:{value.line}: {value.number} is not an int32")
            numbers.add(value.number)
            case = enum_case_name(enum, value)
            if case in cases or case == "unrecognized" or not re.fullmatch(r"[a-z][A-Za-z0-9]*", case):
                raise ProtoError(
                    f"{enum.file.path}:{value.line}: {value.name} gives the Swift case `{case}`, "
                    "which is not a valid identifier or clashes with another case"
                )
            cases.add(case)

    def check_message(self, message: Message) -> None:
        numbers: set[int] = set()
        names: set[str] = set()
        repeated = {f.name for f in message.fields if f.repeated}
        for f in message.fields:
            where = f"{message.file.path}:{f.line}"
            if not re.fullmatch(r"[a-z][a-z0-9_]*", f.name):
                raise ProtoError(f"{where}: field {f.name} must be lower_snake_case")
            if f.name in C_KEYWORDS or f.name == "base":
                raise ProtoError(f"{where}: field {f.name} clashes with a C/C++ name in protoc-c output")
            if f.name.startswith("n_") and f.name[2:] in repeated:
                raise ProtoError(f"{where}: field {f.name} clashes with the count of repeated {f.name[2:]}")
            swift = lower_camel(f.name)
            if swift in RESERVED_SWIFT_MEMBERS or swift in names:
                raise ProtoError(f"{where}: field {f.name} gives a clashing Swift name {swift}")
            names.add(swift)
            if f.number in numbers:
                raise ProtoError(f"{where}: field number {f.number} is used twice")
            if not 1 <= f.number <= 536870911 or 19000 <= f.number <= 19999:
                raise ProtoError(f"{where}: field number {f.number} is out of range")
            numbers.add(f.number)
            if f.type_name not in SCALARS:
                resolved = self.resolve(f.type_name)
                if resolved not in self.enums and resolved not in self.messages:
                    raise ProtoError(f"{where}: unknown type {f.type_name}")

    def check_service(self, proto: ProtoFile, service: Service) -> None:
        for method in service.methods:
            for type_name in (method.input, method.output):
                if self.resolve(type_name) not in self.messages:
                    raise ProtoError(f"{proto.path}:{method.line}: unknown message {type_name}")

    def check_acyclic(self) -> None:
        state: dict[str, int] = {}  # 1 = visiting, 2 = done

        def visit(name: str, path: list[str]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                cycle = " -> ".join(path[path.index(name):] + [name])
                raise ProtoError(f"recursive messages are not supported: {cycle}")
            state[name] = 1
            for f in self.messages[name].fields:
                target = self.resolve(f.type_name)
                if target in self.messages:
                    visit(target, path + [name])
            state[name] = 2

        for name in self.messages:
            visit(name, [])

    def kind(self, f: Field) -> str:
        if f.type_name in SCALARS:
            return {"bool": "bool", "string": "string", "bytes": "bytes"}.get(f.type_name, "number")
        return "enum" if self.resolve(f.type_name) in self.enums else "message"


def enum_case_name(enum: Enum, value: EnumValue) -> str:
    return lower_camel(value.name[len(upper_snake(enum.name)) + 1:])
