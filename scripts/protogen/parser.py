"""A tokenizer and recursive-descent parser for the proto3 subset Ferry uses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Doc, Enum, EnumValue, Field, Message, Method, ProtoError, ProtoFile, Service

TOKEN = re.compile(
    r"""
      (?P<space>[ \t\r]+)
    | (?P<newline>\n)
    | (?P<comment>//[^\n]*)
    | (?P<block>/\*)
    | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<number>-?(?:0[xX][0-9a-fA-F]+|[0-9]+))
    | (?P<ident>\.?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<symbol>[{}()\[\];=<>,])
    """,
    re.VERBOSE,
)


@dataclass
class Token:
    kind: str
    text: str
    line: int


@dataclass
class Comment:
    text: str
    whole_line: bool  # nothing but the comment on its line


def tokenize(path: str, source: str) -> tuple[list[Token], dict[int, Comment]]:
    tokens: list[Token] = []
    comments: dict[int, Comment] = {}
    line = 1
    line_has_code = False
    position = 0
    while position < len(source):
        match = TOKEN.match(source, position)
        if match is None:
            raise ProtoError(f"{path}:{line}: unexpected character {source[position]!r}")
        kind = match.lastgroup
        text = match.group()
        position = match.end()
        if kind == "newline":
            line += 1
            line_has_code = False
        elif kind == "space":
            pass
        elif kind == "comment":
            body = text[2:]
            if body.startswith(" "):
                body = body[1:]
            comments[line] = Comment(body.rstrip(), not line_has_code)
        elif kind == "block":
            raise ProtoError(f"{path}:{line}: /* */ comments are not supported; use //")
        else:
            tokens.append(Token(kind, text, line))
            line_has_code = True
    return tokens, comments


UNSUPPORTED_IN_MESSAGE = {
    "map": "map<> is not supported: use a repeated key/value message",
    "oneof": "oneof is not supported: use optional sub-messages and validate that one is set",
    "optional": "proto3 optional is not supported by protoc-c 1.4.1: use a sub-message or a sentinel",
    "required": "required fields do not exist in proto3",
    "message": "nested messages are not supported: declare them at top level",
    "enum": "nested enums are not supported: declare them at top level",
    "option": "options are not supported",
    "extensions": "extensions are not supported",
    "extend": "extensions are not supported",
    "group": "groups are not supported",
}


class Parser:
    def __init__(self, path: str, source: str):
        self.path = path
        self.tokens, self.comments = tokenize(path, source)
        self.index = 0
        self.file = ProtoFile(path)
        self.previous_end = 0  # line of the end of the previous declaration in the current scope

    # -- token helpers

    def error(self, message: str, line: int | None = None) -> ProtoError:
        if line is None:
            line = self.peek().line if self.index < len(self.tokens) else self.last_line()
        return ProtoError(f"{self.path}:{line}: {message}")

    def last_line(self) -> int:
        return self.tokens[-1].line if self.tokens else 1

    def peek(self) -> Token:
        if self.index >= len(self.tokens):
            raise self.error("unexpected end of file", self.last_line())
        return self.tokens[self.index]

    def at_end(self) -> bool:
        return self.index >= len(self.tokens)

    def next(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.next()
        if token.text != text:
            raise self.error(f"expected {text!r}, found {token.text!r}", token.line)
        return token

    def expect_kind(self, kind: str, what: str) -> Token:
        token = self.next()
        if token.kind != kind:
            raise self.error(f"expected {what}, found {token.text!r}", token.line)
        return token

    def number(self) -> int:
        token = self.expect_kind("number", "a number")
        return int(token.text, 0)

    # -- comments

    def doc_for(self, first_line: int, last_line: int) -> Doc:
        """The comment block right above `first_line`, the end-of-line comment on `last_line`,
        and any `// ---` section heading since the previous declaration."""
        leading: list[str] = []
        line = first_line - 1
        while line in self.comments and self.comments[line].whole_line:
            if self.comments[line].text.startswith("---"):
                break
            leading.insert(0, self.comments[line].text)
            line -= 1
        doc_start = line + 1  # first line of the leading block (or `first_line` if none)
        lines = list(leading)
        trailing = self.comments.get(last_line)
        if trailing is not None and not trailing.whole_line:
            lines.append(trailing.text)
        section: list[str] = []
        for line in range(self.previous_end + 1, doc_start):
            comment = self.comments.get(line)
            if comment is None or not comment.whole_line:
                continue
            if comment.text.startswith("---"):
                section = [comment.text[3:].strip()]
            elif section and line - 1 in self.comments and (line - 1) >= self.previous_end + 1:
                section.append(comment.text)
        return Doc(lines, section)

    # -- grammar

    def parse(self) -> ProtoFile:
        if self.tokens:
            first = self.tokens[0].line
            self.file.doc = [c.text for n, c in sorted(self.comments.items()) if n < first]
        syntax_seen = False
        while not self.at_end():
            token = self.peek()
            if token.text == "syntax":
                self.next()
                self.expect("=")
                value = self.expect_kind("string", "a string")
                if value.text[1:-1] != "proto3":
                    raise self.error("only proto3 is supported", value.line)
                self.expect(";")
                syntax_seen = True
            elif token.text == "package":
                self.next()
                self.file.package = self.expect_kind("ident", "a package name").text
                self.expect(";")
            elif token.text == "import":
                self.next()
                path = self.next()
                if path.kind != "string":
                    raise self.error("only plain imports are supported", path.line)
                self.file.imports.append(path.text[1:-1])
                self.expect(";")
            elif token.text == "enum":
                self.file.declarations.append(self.parse_enum())
            elif token.text == "message":
                self.file.declarations.append(self.parse_message())
            elif token.text == "service":
                self.file.declarations.append(self.parse_service())
            elif token.text == ";":
                self.next()
            elif token.text == "option":
                raise self.error("file options are not supported")
            else:
                raise self.error(f"unexpected {token.text!r}")
            self.previous_end = self.tokens[self.index - 1].line
        if not syntax_seen:
            raise self.error('missing `syntax = "proto3";`', 1)
        if not self.file.package:
            raise self.error("missing `package`", 1)
        return self.file

    def parse_enum(self) -> Enum:
        start = self.expect("enum")
        name = self.expect_kind("ident", "an enum name")
        brace = self.expect("{")
        doc = self.doc_for(start.line, brace.line)
        outer_end = self.previous_end
        self.previous_end = brace.line
        values: list[EnumValue] = []
        while self.peek().text != "}":
            token = self.peek()
            if token.text == "reserved":
                self.parse_reserved()
            elif token.text == ";":
                self.next()
            elif token.text == "option":
                raise self.error("enum options (allow_alias) are not supported")
            else:
                value_name = self.expect_kind("ident", "an enum value name")
                self.expect("=")
                number = self.number()
                if self.peek().text == "[":
                    raise self.error("enum value options are not supported")
                end = self.expect(";")
                values.append(
                    EnumValue(value_name.text, number, self.doc_for(value_name.line, end.line), value_name.line)
                )
            self.previous_end = self.tokens[self.index - 1].line
        self.expect("}")
        self.previous_end = outer_end
        return Enum(name.text, doc, values, self.file, start.line)

    def parse_message(self) -> Message:
        start = self.expect("message")
        name = self.expect_kind("ident", "a message name")
        brace = self.expect("{")
        doc = self.doc_for(start.line, brace.line)
        outer_end = self.previous_end
        self.previous_end = brace.line
        fields: list[Field] = []
        while self.peek().text != "}":
            token = self.peek()
            if token.text == "reserved":
                self.parse_reserved()
            elif token.text == ";":
                self.next()
            elif token.text in UNSUPPORTED_IN_MESSAGE and self.tokens[self.index + 1].text not in ("=",):
                raise self.error(UNSUPPORTED_IN_MESSAGE[token.text])
            else:
                repeated = False
                if token.text == "repeated":
                    self.next()
                    repeated = True
                type_token = self.expect_kind("ident", "a field type")
                field_name = self.expect_kind("ident", "a field name")
                self.expect("=")
                number = self.number()
                if self.peek().text == "[":
                    raise self.error("field options are not supported")
                end = self.expect(";")
                fields.append(
                    Field(
                        field_name.text,
                        number,
                        type_token.text,
                        repeated,
                        self.doc_for(token.line, end.line),
                        field_name.line,
                    )
                )
            self.previous_end = self.tokens[self.index - 1].line
        self.expect("}")
        self.previous_end = outer_end
        return Message(name.text, doc, fields, self.file, start.line)

    def parse_reserved(self) -> None:
        self.expect("reserved")
        while True:
            token = self.next()
            if token.kind == "string":
                pass
            elif token.kind == "number":
                if self.peek().text == "to":
                    self.next()
                    upper = self.next()
                    if upper.kind != "number" and upper.text != "max":
                        raise self.error("expected a number or `max`", upper.line)
            else:
                raise self.error(f"unexpected {token.text!r} in reserved", token.line)
            separator = self.next()
            if separator.text == ";":
                return
            if separator.text != ",":
                raise self.error(f"expected ',' or ';', found {separator.text!r}", separator.line)

    def parse_service(self) -> Service:
        start = self.expect("service")
        name = self.expect_kind("ident", "a service name")
        brace = self.expect("{")
        doc = self.doc_for(start.line, brace.line)
        methods: list[Method] = []
        while self.peek().text != "}":
            token = self.peek()
            if token.text == ";":
                self.next()
                continue
            if token.text != "rpc":
                raise self.error(f"expected 'rpc', found {token.text!r}")
            self.next()
            method = self.expect_kind("ident", "a method name")
            self.expect("(")
            client_streaming = self.peek().text == "stream" and self.tokens[self.index + 1].text != ")"
            if client_streaming:
                self.next()
            input_type = self.expect_kind("ident", "a message type").text
            self.expect(")")
            self.expect("returns")
            self.expect("(")
            server_streaming = self.peek().text == "stream" and self.tokens[self.index + 1].text != ")"
            if server_streaming:
                self.next()
            output_type = self.expect_kind("ident", "a message type").text
            self.expect(")")
            if self.peek().text == "{":
                self.next()
                if self.peek().text == "option":
                    raise self.error("method options are not supported")
                self.expect("}")
            else:
                self.expect(";")
            methods.append(
                Method(method.text, input_type, output_type, client_streaming, server_streaming, method.line)
            )
        self.expect("}")
        return Service(name.text, doc, methods, start.line)
