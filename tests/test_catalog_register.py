"""The zh_CN catalogs read like a government service hall: no chat slang, official notices
without emoji (buttons and markers keep theirs), no spaces around Chinese names, and one name
per ticket state."""

from __future__ import annotations

import re

from bot.i18n import catalog

ZH = catalog("zh_CN")
# Placeholders that are Chinese names (of people, enterprises, cadres) in the texts.
NAMES = ("cadre", "name", "by")
CJK = "\u4e00-\u9fff"
# Texts the bot sends as notices and confirmations (not buttons, not markers, not labels).
NOTICE_AREAS = ("notice.", "work.", "bind.", "start.", "feedback.", "ticket.ack")
NOTICE_CLOCK = re.compile(r"^clock\.(remind|chase|blocker|supervised|extend|contacted|calendar)")
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff]")


def test_no_chat_slang() -> None:
    for key, text in ZH.items():
        for slang in ("TA", "chat {", "处理更新", "update {"):
            assert slang not in text, (key, slang)


def test_official_notices_carry_no_emoji() -> None:
    notices = [k for k in ZH if k.startswith(NOTICE_AREAS) or NOTICE_CLOCK.match(k)]
    assert len(notices) > 40
    assert [(k, ZH[k]) for k in notices if EMOJI.search(ZH[k])] == []


def test_no_spaces_around_chinese_names() -> None:
    for key, text in ZH.items():
        for name in NAMES:
            around = rf"[{CJK}] \{{{name}\}}|\{{{name}\}} [{CJK}]"
            assert not re.search(around, text), (key, text)


def test_one_name_per_state() -> None:
    assert [ZH[f"status.{s}"] for s in ("new", "claimed", "in_progress", "resolved")] == [
        "待签收",
        "已签收",
        "办理中",
        "已办结",
    ]
    assert (ZH["status.closed"], ZH["status.reopened"], ZH["status.withdrawn"]) == (
        "已关闭",
        "重办",
        "已撤销",
    )
    for key, text in ZH.items():
        # 受理 stays a metric (受理数: tickets received), never a state.
        assert "待受理" not in text and "已受理" not in text, key
