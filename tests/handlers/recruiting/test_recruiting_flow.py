"""/job through the real Application and the emulator: buttons, a restart mid-conversation,
the card in a group bound with /bind jobs, /jobs paging, owners' buttons and forged presses."""

from __future__ import annotations

from typing import Any

from bot.runtime.process import Runtime
from tests.handlers.world import World

FORM = (
    "/job 岗位=普工；人数=10；薪资=5000-7000元/月；要求=18-45岁，性别不限；内容=装配；"
    "地点=二号厂房；有效期=30；联系=王先生 13800000000"
)


async def jobs_group(world: World) -> int:
    group = (await world.client.create_chat("supergroup", title="招聘群"))["id"]
    since = await world.seq()
    await world.say(group, world.admin, "/bind jobs")
    await world.expect(group, "", since=since)
    return int(group)


def buttons(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


async def press(world: World, message: dict[str, Any], data: str, user: int | None = None) -> None:
    assert data in buttons(message), (data, buttons(message))
    who = user or world.contact
    await world.client.press_button(message["chat_id"], message["message_id"], who, data)


async def restart(world: World) -> None:
    """Stop the Runtime and start a new one on the same database."""
    settings = world.runtime.settings
    await world.runtime.stop()
    world.runtime = Runtime(settings)
    await world.runtime.start()


async def test_guided_job_survives_restart_and_publishes_card(world: World) -> None:
    group = await jobs_group(world)
    me, since = world.contact, await world.seq()
    await world.say(me, me, "/job")
    await world.expect(me, "岗位名称", since=since)
    await world.say(me, me, "普工")
    await world.expect(me, "招聘人数", since=since)
    await world.say(me, me, "0")
    await world.expect(me, "必须大于 0", since=since)
    await world.say(me, me, "10")
    await world.expect(me, "薪资", since=since)
    await world.say(me, me, "7000-5000")
    await world.expect(me, "不能高于上限", since=since)
    await world.say(me, me, "5000-7000")
    unit = (await world.expect(me, "计薪单位", since=since))[0]
    await restart(world)  # mid-conversation: the draft is in the database
    await press(world, unit, "j:u:month")
    await world.expect(me, "任职要求", since=since)
    await world.say(me, me, "仅限男性")
    await world.expect(me, "性别歧视", since=since)
    for text, next_prompt in (
        ("男女不限，能吃苦", "工作内容"),
        ("装配", "工作地点"),
        ("二号厂房", "有效期"),
    ):
        await world.say(me, me, text)
        validity = (await world.expect(me, next_prompt, since=since))[-1]
    await press(world, validity, "j:v:30")
    await world.expect(me, "联系方式", since=since)
    await world.say(me, me, "王先生 13800000000")
    shift = (await world.expect(me, "班次", since=since))[0]
    await press(world, shift, "j:s:-")
    benefits = (await world.expect(me, "福利待遇", since=since))[0]
    await press(world, benefits, "j:b:-")
    preview = (await world.expect(me, "请确认招聘信息", since=since))[0]
    assert "普工" in preview["text"] and "5000–7000 元/月" in preview["text"]
    await press(world, preview, "j:ok")
    await world.expect(me, "已发布到 1 个", since=since)
    card = (await world.expect(group, "招聘｜普工", since=since))[0]
    assert "海澄精工机械有限公司" in card["text"] and "有效期至" in card["text"]


async def test_one_line_form_goes_straight_to_the_preview(world: World) -> None:
    """A one-line form with every required field asks nothing more (not the shift either)."""
    me, since = world.contact, await world.seq()
    await world.say(me, me, FORM)
    preview = (await world.expect(me, "请确认招聘信息", since=since))[0]
    asked = await world.client.sent(chat_id=me, since_seq=since)
    assert [m["message_id"] for m in asked] == [preview["message_id"]]
    # The optional shift can still be added from the preview.
    await press(world, preview, "j:chg")
    picker = (await world.expect(me, "要修改哪一项", since=since))[0]
    await press(world, picker, "j:f:shift")
    shift = (await world.expect(me, "班次", since=since))[-1]
    await press(world, shift, "j:s:0")
    again = (await world.expect(me, "请确认招聘信息", since=since, count=2))[-1]
    assert "长白班" in again["text"]


async def test_one_line_form_cancel_and_stale_buttons(world: World) -> None:
    me, since = world.contact, await world.seq()
    await world.say(me, me, FORM)
    preview = (await world.expect(me, "请确认招聘信息", since=since))[0]
    await world.say(me, me, "/cancel")
    await world.expect(me, "已取消", since=since)
    before = await world.answers()
    await press(world, preview, "j:ok")
    assert "没有正在填写" in (await world.answer(before))["text"]
    await world.say(me, me, "/cancel")
    await world.expect(me, "没有可取消", since=since)
    await world.say(me, me, "随便说点什么")
    await world.expect(me, "/help", since=since)  # no draft: the fallback answers as before
    await world.say(world.group, me, "/job")
    await world.expect(world.group, "请私聊", since=since)


async def publish(world: World, position: str) -> int:
    me, since = world.contact, await world.seq()
    await world.say(me, me, FORM.replace("普工", position) + "；班次=长白班；福利=包吃住")
    preview = (await world.expect(me, "请确认招聘信息", since=since))[0]
    await press(world, preview, "j:ok")
    done = (await world.expect(me, "已发布", since=since))[0]
    return int(done["text"].split("#")[1].split(" ")[0])


async def test_jobs_paging_and_owner_buttons(world: World) -> None:
    ids = [await publish(world, f"岗位{n}") for n in range(6)]
    since = await world.seq()
    await world.say(world.stranger, world.stranger, "/jobs")
    page = (await world.expect(world.stranger, "在招岗位", since=since))[0]
    assert "共 6 个" in page["text"] and "岗位5" in page["text"] and "岗位0" not in page["text"]
    await press(world, page, "j:pg:1", user=world.stranger)
    turned = (await world.expect(world.stranger, "第 2/2 页", since=since))[0]
    assert turned["message_id"] == page["message_id"] and "岗位0" in turned["text"]
    await world.say(world.stranger, world.stranger, "/jobs 岗位3")
    await world.expect(world.stranger, "共 1 个", since=since)
    # Someone else's post: commands and forged buttons are refused, nothing changes.
    await world.say(world.other_contact, world.other_contact, f"/jobwithdraw {ids[0]}")
    await world.expect(world.other_contact, "不是招聘信息", since=since)
    await world.say(world.contact, world.contact, "/myjobs")
    mine = (await world.expect(world.contact, "我的招聘信息", since=since))[0]
    before = await world.answers()
    await world.client.press_button(
        world.contact, mine["message_id"], world.other_contact, f"j:m:wd:{ids[0]}", forge=True
    )
    assert "不是招聘信息" in (await world.answer(before))["text"]
    await press(world, mine, f"j:m:fill:{ids[0]}")
    await world.expect(world.contact, f"#{ids[0]} 已标记为已招满", since=since)
    await world.say(world.contact, world.contact, f"/hired {ids[0]} 3")
    await world.expect(world.contact, "累计 3 人", since=since)
    await world.say(world.stranger, world.stranger, "/jobs")
    await world.expect(world.stranger, "共 5 个", since=since)


async def test_a_posts_card_is_edited_in_place_when_it_changes(world: World) -> None:
    """The card a new post sends to the jobs group is recorded as the post's (from the rows
    its notifier queued), so filling the post edits that message rather than sending one."""
    group = await jobs_group(world)
    since = await world.seq()
    post_id = await publish(world, "装配工")
    card = (await world.expect(group, "招聘｜装配工", since=since))[0]
    await world.settled()  # delivered: the card's message id is known
    sent_before = await world.queued(group, purpose="job_card")
    await world.say(world.contact, world.contact, f"/jobfilled {post_id}")
    filled = (await world.expect(group, "已招满", since=since))[0]
    assert filled["message_id"] == card["message_id"] and "装配工" in filled["text"]
    assert await world.queued(group, purpose="job_card") == sent_before == 1
    assert await world.queued(group, purpose="job_card_edit") == 1


async def test_disguised_restrictions_are_refused_naming_the_typed_words(world: World) -> None:
    """Spaces, zero-width and full-width characters, traditional characters and synonyms."""
    me = world.contact
    for requirement, reason, typed in (
        ("限\u200b男", "性别歧视", "限\u200b男"),
        ("男 性 優 先", "性别歧视", "男 性 優 先"),
        ("只招女工", "性别歧视", "只招女工"),
        ("本地戶口", "户籍歧视", "本地戶口"),
        ("河南人勿扰", "地域歧视", "河南人勿扰"),
        ("ｍａｌｅ ｏｎｌｙ", "性别歧视", "ｍａｌｅ ｏｎｌｙ"),
        ("日结万元", "诱导性用语", "日结万元"),
    ):
        since, queued = await world.seq(), await world.queued(me)
        await world.say(me, me, FORM.replace("性别不限", requirement))
        refusal = (await world.expect(me, reason, since=since))[0]
        assert typed in refusal["text"], refusal["text"]
        assert await world.queued(me) == queued + 1  # the refusal only (queued with it)
    since = await world.seq()
    await world.say(me, me, FORM.replace("性别不限", "性别不限，男女不限，不限户籍"))
    await world.expect(me, "请确认招聘信息", since=since)  # accepted: the preview


async def test_every_protected_ground_and_bait_is_refused_in_its_words(world: World) -> None:
    """The grounds beyond sex, ethnicity, household and region (disability, health), a need and
    a person, a place of origin, pregnancy, promises, incomes past a sane bound and English in
    bold letters are refused with their reason in words; what welcomes people passes."""
    me = world.contact
    for requirement, reason in (
        ("要女的", "性别歧视"),
        ("限常州籍", "地域歧视"),
        ("谢绝孕妇", "性别歧视"),
        ("残疾人勿扰", "残疾歧视"),
        ("乙肝携带者免谈", "健康状况歧视"),
        ("保证入职", "诱导性用语"),
        ("月入二十万", "诱导性用语"),
        ("𝐍𝐨 𝐰𝐨𝐦𝐞𝐧", "性别歧视"),
    ):
        since = await world.seq()
        await world.say(me, me, FORM.replace("性别不限", requirement))
        refusal = (await world.expect(me, reason, since=since))[0]
        assert requirement in refusal["text"], refusal["text"]
    since = await world.seq()
    await world.say(me, me, FORM.replace("性别不限", "欢迎残疾人应聘，要求持有叉车证，提供住宿"))
    await world.expect(me, "请确认招聘信息", since=since)
