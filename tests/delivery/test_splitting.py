"""Splitting HTML on rendered text: every chunk parses, fits, and nothing is lost."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from bot.delivery.splitting import split_html, truncate_html, utf16_len
from sandbox.entities import parse_html

_words = st.text(alphabet="ab &<>\"'字😀", min_size=0, max_size=40)
_piece = st.one_of(
    _words.map(lambda w: str(escape(w))),
    _words.map(lambda w: str(Markup("<b>{}</b>").format(w))),
    _words.map(lambda w: str(Markup('<a href="https://x.cn/?a=1&b=2">{}</a>').format(w))),
    st.just("\n"),
)


def _plain(html_text: str) -> str:
    return parse_html(html_text)[0]


@settings(max_examples=300, deadline=None)
@given(st.lists(_piece, max_size=60), st.integers(min_value=8, max_value=120))
def test_chunks_parse_fit_and_keep_every_character(pieces: list[str], limit: int) -> None:
    text = "".join(pieces)
    chunks = split_html(text, limit)
    for chunk in chunks:
        plain = _plain(chunk)  # raises on a cut tag or entity
        assert utf16_len(plain) <= limit
        assert plain.strip() or len(chunks) == 1  # a text that fits is returned as it is
    # Cuts drop only the line break they happen at (and blank chunks): no visible text is lost.
    joined = "".join(_plain(c) for c in chunks)
    assert joined.replace("\n", "").replace(" ", "") == (
        _plain(text).replace("\n", "").replace(" ", "") if text else ""
    )


def test_entities_are_never_cut() -> None:
    text = "&amp;" * 5000  # 25,000 raw characters, 5,000 rendered
    chunks = split_html(text, 4096)
    assert [len(_plain(c)) for c in chunks] == [4096, 904]


def test_a_short_text_full_of_escapes_is_one_message() -> None:
    text = str(escape("<&>" * 1300))  # 3,900 rendered characters, 15,600 raw
    assert split_html(text, 4096) == [text]


def test_prefers_line_breaks_and_reopens_tags() -> None:
    text = "<b>" + "一" * 30 + "\n" + "二" * 30 + "</b>"
    first, second = split_html(text, 40)
    assert first == "<b>" + "一" * 30 + "</b>"
    assert second == "<b>" + "二" * 30 + "</b>"


def test_truncate_keeps_markup_balanced() -> None:
    assert truncate_html("<i>" + "&lt;" * 50 + "</i>", 10) == "<i>" + "&lt;" * 10 + "</i>"
