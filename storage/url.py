"""Where the database is: `[storage] url`, parsed, and shown without its password.

- `sqlite:///data/liaison.db` (a path relative to the working directory; four slashes for an
  absolute one), `sqlite:///:memory:`, or a bare path (what `[storage] path` holds);
- `postgresql://user:password@host:5432/dbname` (`postgres://` too), optionally
  `?schema=name` to keep one park's tables in a schema of their own (several parks, one
  database). Other query parameters go to the driver as they are (`sslmode`, ...).

The password is a secret: `redacted` replaces it with `***`, and every message that names a
database uses that form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from storage.errors import StorageError

Backend = Literal["sqlite", "postgresql"]
SQLITE: Final = "sqlite"
POSTGRESQL: Final = "postgresql"
_PG_SCHEMES = ("postgresql", "postgres")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class StorageUrl:
    """A parsed storage URL: the backend and what it needs to connect."""

    backend: Backend
    # SQLite: the file path (or ":memory:", or a "file:" URI). PostgreSQL: the URL for the
    # driver, without our own `schema` parameter (it carries the password: never show it).
    target: str
    # PostgreSQL: the schema the tables live in (None: the server's default, `public`).
    schema: str | None = None

    @property
    def redacted(self) -> str:
        """The URL to show people: the password replaced with ***."""
        if self.backend == SQLITE:
            return self.target
        return redact(self.url)

    @property
    def url(self) -> str:
        """The full URL (secret for PostgreSQL): what `open_database` accepts back."""
        if self.backend == SQLITE:
            return self.target
        if self.schema is None:
            return self.target
        parts = urlsplit(self.target)
        query = urlencode([*parse_qsl(parts.query), ("schema", self.schema)])
        return urlunsplit(parts._replace(query=query))

    @property
    def password(self) -> str | None:
        """The password in a PostgreSQL URL, if any."""
        if self.backend == SQLITE:
            return None
        password = urlsplit(self.target).password
        return unquote(password) if password else None

    @property
    def secrets(self) -> list[str]:
        """What to mask wherever text is shown: the password as written and as decoded."""
        raw = urlsplit(self.target).password if self.backend != SQLITE else None
        return sorted({s for s in (raw, self.password) if s}, key=len, reverse=True)

    def __repr__(self) -> str:
        return f"StorageUrl({self.redacted!r})"


def parse_url(text: str) -> StorageUrl:
    """Parse `[storage] url` (or a bare SQLite path).

    Raises:
        StorageError: an unknown scheme or a malformed URL (the message is redacted).
    """
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:  # a bare path, as `[storage] path` has always been
        if not text:
            raise StorageError("the storage url is empty")
        return StorageUrl(SQLITE, text)
    scheme = scheme.lower()
    if scheme == SQLITE:
        path = rest[1:] if rest.startswith("/") else rest
        if path in ("", ":memory:"):
            return StorageUrl(SQLITE, ":memory:")
        if rest and not rest.startswith("/"):
            raise StorageError(
                f"cannot read the storage url {text!r}: write sqlite:///relative/path.db "
                "or sqlite:////absolute/path.db"
            )
        return StorageUrl(SQLITE, path)
    if scheme in _PG_SCHEMES:
        return _parse_postgres(text)
    raise StorageError(
        f"unknown database in the storage url {redact(text)!r}: "
        "use sqlite:///path/to/file.db or postgresql://user:password@host:5432/dbname"
    )


def _parse_postgres(text: str) -> StorageUrl:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise StorageError(f"cannot read the storage url {redact(text)!r}: {exc}") from None
    if not parts.path.strip("/"):
        raise StorageError(
            f"the storage url {redact(text)!r} names no database: "
            "postgresql://user:password@host:5432/dbname"
        )
    query, schema = [], None
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "schema":
            schema = value
        else:
            query.append((key, value))
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise StorageError(
            f"the schema {schema!r} in the storage url is not a plain lower-case SQL name"
        )
    target = urlunsplit(parts._replace(scheme="postgresql", query=urlencode(query)))
    return StorageUrl(POSTGRESQL, target, schema)


def redact(text: str) -> str:
    """`text` with the password of any URL in it replaced by ***."""
    return _PASSWORD.sub(lambda m: f"{m.group(1)}***@", text)


# scheme://user:password@ -> scheme://user:***@ (the password may not contain "@" or "/"
# unescaped, so the match ends at the first "@" after the user's colon).
_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@/\s]*@", re.IGNORECASE)


def sqlite_url(path: str) -> str:
    """The `sqlite:///` URL of a path (relative paths stay relative)."""
    if path == ":memory:":
        return "sqlite:///:memory:"
    return "sqlite:///" + path
