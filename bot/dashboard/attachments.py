"""How the dashboard serves a ticket's attachment: an image inline, anything else a download.

The type and the name of a document are the sender's word (Telegram passes on what the client
said), and the bytes are whatever was sent. Served as they were, an `text/html` or
`image/svg+xml` document would run as a page of the dashboard's own origin. So a file is shown
inline only when it is an image a browser renders without running anything (JPEG, PNG, WebP,
GIF) by both the stored type and its first bytes, and then with the type its bytes show; every
other file is `application/octet-stream`, `Content-Disposition: attachment` with a cleaned
name (RFC 6266, and RFC 5987 for a name beyond ASCII). Every answer says `nosniff` and forbids
the file any script of its own (`Content-Security-Policy: sandbox`).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from aiohttp import web

from bot.domain.models import Attachment

# The types shown inline; SVG (scripts) and HTML never are.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
DOWNLOAD_TYPE = "application/octet-stream"
NAME_LIMIT = 120  # characters of a download's name; the extension is kept
HEADERS = {
    "Cache-Control": "private, max-age=3600",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}

# RFC 5987 attr-char beyond letters and digits (which `quote` never escapes).
_ATTR_CHARS = "!#$&+-.^_`|~"
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._\- ()\[\]]+")


def sniff_image(data: bytes) -> str | None:
    """The inline image type the bytes begin with, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def stored_type(attachment: Attachment) -> str | None:
    """The type recorded with the attachment; a Telegram photo is always a JPEG."""
    if attachment.mime_type:
        return attachment.mime_type.split(";", 1)[0].strip().lower()
    return "image/jpeg" if attachment.kind == "photo" else None


def inline_type(attachment: Attachment, data: bytes) -> str | None:
    """The type to show the file inline with, or None: it is served as a download."""
    sniffed = sniff_image(data)
    if stored_type(attachment) in INLINE_TYPES and sniffed is not None:
        return sniffed  # what the bytes are, should the two name different images
    return None


def response(attachment: Attachment, data: bytes) -> web.Response:
    """The attachment as an inline image or a download (see the module docstring)."""
    name = download_name(attachment)
    shown = inline_type(attachment, data)
    disposition = content_disposition("inline" if shown else "attachment", name)
    return web.Response(
        body=data,
        content_type=shown or DOWNLOAD_TYPE,
        headers={**HEADERS, "Content-Disposition": disposition},
    )


def download_name(attachment: Attachment) -> str:
    """The file's name without folders, control or direction characters; a made-up one if
    nothing is left."""
    name = unicodedata.normalize("NFC", attachment.file_name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: controls (a header's line break); Cf: format characters, among them U+202E, which
    # shows "gpj.exe" as "exe.jpg"; Cs: a lone surrogate, which no encoding takes.
    name = "".join(c for c in name if unicodedata.category(c) not in _DROPPED)
    name = name.strip().strip(".").strip()  # no hidden file, no trailing dot
    if len(name) > NAME_LIMIT:
        _, dot, suffix = name.rpartition(".")
        keep = suffix if dot and 0 < len(suffix) <= 10 else ""
        name = name[: NAME_LIMIT - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return name or f"attachment-{attachment.id}"


def content_disposition(kind: str, name: str) -> str:
    """`inline` or `attachment` with the name: plain ASCII in `filename`, the exact name in
    `filename*` (UTF-8) when it holds anything else."""
    ascii_name = _ascii_fallback(name)
    header = f'{kind}; filename="{ascii_name}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"
    return header


def _ascii_fallback(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem, dot, suffix = folded.rpartition(".")
    stem = _UNSAFE_ASCII.sub("_", stem if dot else folded).strip("_ ")
    suffix = _UNSAFE_ASCII.sub("", suffix) if dot else ""
    return (stem or "attachment") + ("." + suffix if suffix else "")
