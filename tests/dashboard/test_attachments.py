"""A ticket's attachments over HTTP: an image by its stored type and its bytes is shown inline;
anything else (HTML, SVG, an image by name only) is a download with a clean name.

Each file is a document of one report, with the type and name its sender's client gave.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import unquote

import pytest

from bot.services.tickets.intake import IncomingFile, Report
from tests.dashboard.api import Api, open_api
from tests.dashboard.park import Park, init_data

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(16)
HTML = b"<!doctype html><script>fetch('/dashboard/api/me')</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@dataclass(frozen=True)
class Sent:
    """One document as its sender's client described it, and its bytes."""

    name: str | None
    mime: str | None
    data: bytes


SENT = {
    "png": Sent("现场.png", "image/png", PNG),
    "webp": Sent("site.webp", "image/webp", WEBP),
    "html": Sent("invoice.html", "text/html", HTML),
    "svg": Sent("logo.svg", "image/svg+xml", SVG),
    "html_as_png": Sent("photo.png", "image/png", HTML),  # the name and type lie
    "png_as_html": Sent("page.html", "text/html", PNG),  # an image, but not sent as one
    "svg_as_jpeg": Sent("a.jpg", "IMAGE/JPEG; q=1", SVG),
    "unnamed": Sent(None, None, b"%PDF-1.7"),
}


@dataclass
class Files:
    api: Api
    ticket: int
    ids: dict[str, int]  # SENT's key -> attachment id

    async def get(self, key: str, who: str = "contact_0") -> tuple[int, dict[str, str], bytes]:
        park = self.api.park
        headers = {"Authorization": f"tma {init_data(park.tg(who), park.story.clock.now())}"}
        url = f"/dashboard/api/tickets/{self.ticket}/files/{self.ids[key]}"
        response = await self.api.client.get(url, headers=headers)
        return response.status, dict(response.headers), await response.read()


async def report_documents(
    park: Park, documents: dict[str, Sent], message_id: int
) -> tuple[int, dict[str, int]]:
    """Report one ticket in contact_0's group with these documents; its id and theirs."""
    story = park.story
    files = [
        IncomingFile("document", f"file-{key}", f"unique-{key}", sent.name, sent.mime)
        for key, sent in documents.items()
    ]
    created = await park.services.tickets.intake.report(
        Report(story.group(0), message_id, story.contact_tg(0), "附件见文件", files=files)
    )
    view = created.view
    return view.ticket.id, {a.file_id.removeprefix("file-"): a.id for a in view.attachments}


@pytest.fixture
async def files(park_world: Park) -> AsyncIterator[Files]:
    ticket, ids = await report_documents(park_world, SENT, 7001)
    data = {f"file-{key}": sent.data for key, sent in SENT.items()}
    async with open_api(park_world, data) as api:
        yield Files(api, ticket, ids)


@pytest.mark.parametrize(("key", "shown"), [("png", "image/png"), ("webp", "image/webp")])
async def test_an_image_by_type_and_bytes_is_shown_inline(
    files: Files, key: str, shown: str
) -> None:
    status, headers, body = await files.get(key)
    assert status == 200 and body == SENT[key].data
    assert headers["Content-Type"] == shown
    assert headers["Content-Disposition"].startswith("inline;")
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("key", ["html", "svg", "html_as_png", "png_as_html", "svg_as_jpeg"])
async def test_anything_else_is_a_download_of_no_type(files: Files, key: str) -> None:
    status, headers, body = await files.get(key)
    assert status == 200 and body == SENT[key].data  # the file itself, untouched
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"] == f'attachment; filename="{SENT[key].name}"'
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]


async def test_a_chinese_name_is_kept_beside_an_ascii_one(files: Files) -> None:
    _, headers, _ = await files.get("png")
    assert headers["Content-Disposition"] == (
        "inline; filename=\"attachment.png\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA.png"
    )
    _, headers, _ = await files.get("unnamed")
    assert (
        headers["Content-Disposition"]
        == f'attachment; filename="attachment-{files.ids["unnamed"]}"'
    )


@pytest.mark.parametrize(
    ("name", "ascii_name", "exact"),
    [
        # No folder, no header of its own, no quote to end the name early.
        (
            '../../etc/pass"wd\r\nX-Injected: 1.txt',
            "pass_wdX-Injected_ 1.txt",
            'pass"wdX-Injected: 1.txt',
        ),
        ("C:\\Users\\me\\营业执照.pdf", "attachment.pdf", "营业执照.pdf"),
        # U+202E would show "invoice\u202efdp.exe" as "invoiceexe.pdf".
        ("invoice\u202efdp.exe", "invoicefdp.exe", None),
        ("...hidden.", "hidden", None),
        ("报告" * 100 + ".docx", "attachment.docx", ("报告" * 100)[:115] + ".docx"),
    ],
    ids=["path-and-header", "windows-path", "direction", "dots", "long"],
)
async def test_a_download_name_is_cleaned(
    park_world: Park, name: str, ascii_name: str, exact: str | None
) -> None:
    ticket, ids = await report_documents(park_world, {"doc": Sent(name, "text/plain", b"x")}, 7002)
    async with open_api(park_world) as api:
        got = await Files(api, ticket, ids).get("doc")
    disposition = got[1]["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    head, _, extended = disposition.partition("; filename*=UTF-8''")
    assert head == f'attachment; filename="{ascii_name}"'
    assert (unquote(extended) if extended else None) == exact


async def test_only_those_who_see_the_ticket_get_its_files(files: Files) -> None:
    assert (await files.get("html", "leader"))[0] == 200
    for who in ("contact_1", "other_leader"):
        assert (await files.get("html", who))[0] == 404, who
