"""A small, safe parser for Xero's `where` filters and `order` clauses.

Supported: `Path op literal` with op in == != > >= < <=, `Path.Contains("x")`, `.StartsWith`,
`.EndsWith`, `.ToLower()/.ToUpper()` (no-ops: string comparisons are case-insensitive, like
Xero's SQL collation), a bare boolean path, `AND`/`&&`, `OR`/`||`, `NOT`/`!`, parentheses.
Literals: "strings", numbers, true/false/null, Guid("…"), DateTime(y,m,d[,h,m,s]).
Nothing is evaluated: the expression compiles to a predicate over a document dict.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Callable

Predicate = Callable[[dict[str, Any]], bool]
TOKEN_RE = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op>==|!=|>=|<=|>|<|&&|\|\||!)|(?P<punct>[().,])'
    r"|(?P<number>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
STRING_METHODS = {"contains", "startswith", "endswith"}


class WhereError(ValueError):
    pass


def compile_where(expression: str | None) -> Predicate:
    if not expression or not expression.strip():
        return lambda document: True
    parser = _Parser(_tokenize(expression))
    predicate = parser.parse_or()
    if parser.peek() is not None:
        raise WhereError(f"unexpected {parser.peek()[1]!r} in where clause")
    return predicate


def sort_documents(documents: list[dict[str, Any]], order: str | None, default_key: str | None) -> list[dict[str, Any]]:
    """Apply `order=Name ASC, UpdatedDateUTC DESC`; unknown fields sort as empty."""
    clauses = [part.split() for part in (order or "").split(",") if part.strip()]
    if not clauses and default_key:
        clauses = [[default_key]]
    for words in reversed(clauses):
        descending = len(words) > 1 and words[1].upper() == "DESC"
        documents = sorted(documents, key=lambda document: _sort_key(resolve(document, words[0])), reverse=descending)
    return documents


def resolve(document: Any, path: str) -> Any:
    value = document
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
        else:
            value = next((item for key, item in value.items() if key.lower() == part.lower()), None)
    return value


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, str):
        return (1, value.casefold())
    if isinstance(value, datetime):
        return (1, value.timestamp())
    if isinstance(value, date):
        return (1, value.toordinal())
    return (1, value)


def _tokenize(expression: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    expression = expression.rstrip()
    while position < len(expression):
        match = TOKEN_RE.match(expression, position)
        if not match or match.end() == position:
            raise WhereError(f"cannot read the where clause near {expression[position:position + 20]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.position = tokens, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1].lower() != value.lower()):
            raise WhereError(f"expected {value or 'more'} in where clause")
        self.position += 1
        return token

    def accept(self, *values: str) -> bool:
        token = self.peek()
        if token and token[0] in {"op", "word", "punct"} and token[1].upper() in values:
            self.position += 1
            return True
        return False

    def parse_or(self) -> Predicate:
        parts = [self.parse_and()]
        while self.accept("OR", "||"):
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else (lambda document: any(part(document) for part in parts))

    def parse_and(self) -> Predicate:
        parts = [self.parse_not()]
        while self.accept("AND", "&&"):
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else (lambda document: all(part(document) for part in parts))

    def parse_not(self) -> Predicate:
        if self.accept("NOT", "!"):
            inner = self.parse_not()
            return lambda document: not inner(document)
        if self.accept("("):
            inner = self.parse_or()
            self.take(")")
            return inner
        return self.parse_comparison()

    def parse_comparison(self) -> Predicate:
        kind, word = self.take()
        if kind != "word":
            raise WhereError(f"expected a field name, got {word!r}")
        path = [word]
        while self.accept("."):
            name = self.take()[1]
            if self.peek() and self.peek()[1] == "(":
                return self.parse_method(".".join(path), name)
            path.append(name)
        field = ".".join(path)
        token = self.peek()
        if token is None or token[0] != "op" or token[1] in {"&&", "||", "!"}:
            return lambda document: bool(resolve(document, field))
        operator = self.take()[1]
        literal = self.parse_literal()
        return lambda document: _compare(resolve(document, field), operator, literal)

    def parse_method(self, field: str, name: str) -> Predicate:
        self.take("(")
        method = name.lower()
        if method in {"tolower", "toupper"}:
            self.take(")")
            operator = self.take()[1]
            literal = self.parse_literal()
            return lambda document: _compare(resolve(document, field), operator, literal)
        if method not in STRING_METHODS:
            raise WhereError(f"unsupported method {name!r} in where clause")
        needle = self.parse_literal()
        self.take(")")
        if not isinstance(needle, str):
            raise WhereError(f"{name} needs a string")
        needle = needle.casefold()
        check = {"contains": str.__contains__, "startswith": str.startswith, "endswith": str.endswith}[method]
        return lambda document: isinstance(value := resolve(document, field), str) and check(value.casefold(), needle)

    def parse_literal(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return re.sub(r"\\(.)", r"\1", text[1:-1])
        if kind == "number":
            return Decimal(text)
        lowered = text.lower()
        if lowered in {"true", "false"}:
            return lowered == "true"
        if lowered == "null":
            return None
        if lowered == "guid":
            self.take("(")
            value = self.parse_literal()
            self.take(")")
            return str(value)
        if lowered == "datetime":
            self.take("(")
            numbers = [int(self.parse_literal())]
            while self.accept(","):
                numbers.append(int(self.parse_literal()))
            self.take(")")
            return datetime(*numbers, tzinfo=timezone.utc)
        raise WhereError(f"unexpected {text!r} in where clause")


def _compare(value: Any, operator: str, literal: Any) -> bool:
    left, right = _comparable(value, literal)
    if left is None or right is None:
        equal = left is None and right is None
        return equal if operator == "==" else (not equal if operator == "!=" else False)
    try:
        return {
            "==": left == right, "!=": left != right, ">": left > right,
            ">=": left >= right, "<": left < right, "<=": left <= right,
        }[operator]
    except TypeError:
        return False


def _comparable(value: Any, literal: Any) -> tuple[Any, Any]:
    if value is None or literal is None:
        return value, literal
    if isinstance(literal, bool) or isinstance(value, bool):
        return value, literal
    if isinstance(literal, Decimal) and isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)), literal
    if isinstance(literal, datetime) and isinstance(value, date):
        if not isinstance(value, datetime):
            return value, literal.date()
        return value, literal
    return str(value).casefold(), str(literal).casefold()
