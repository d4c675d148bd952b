"""Property tests: entity offsets agree with python-telegram-bot's UTF-16 slicing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from telegram import Message

from sandbox.entities import detect_entities, parse_html

_PREFIX = st.text(alphabet=st.sampled_from("ab 好诉 😀🔥\n,."), max_size=12)


@given(
    prefix=_PREFIX, tag=st.text(alphabet=st.sampled_from("诉求停电abc_1"), min_size=1, max_size=6)
)
def test_hashtag_offsets_match_ptb(prefix: str, tag: str) -> None:
    text = f"{prefix} #{tag} 后文"
    entities = detect_entities(text)
    message = Message.de_json(
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 1, "type": "private"},
            "text": text,
            "entities": entities,
        },
        None,
    )
    values = list(message.parse_entities(["hashtag"]).values())
    if tag.isdigit():
        assert f"#{tag}" not in values
    else:
        assert values[-1] == f"#{tag}"


@given(inner=st.text(alphabet=st.sampled_from("x好😀 "), min_size=1, max_size=10))
def test_html_bold_covers_exactly_the_inner_text(inner: str) -> None:
    plain, entities = parse_html(f"😀<b>{inner}</b>!")
    assert plain == f"😀{inner}!"
    assert entities == [
        {"type": "bold", "offset": 2, "length": len(inner.encode("utf-16-le")) // 2}
    ]
