"""Configuration: TOML plus LIAISON_ environment overrides; clear one-line errors; no secrets."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import ConfigError, Settings, load_settings, run_problems

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_parses_and_covers_every_setting() -> None:
    example = ROOT / "config.example.toml"
    settings = load_settings(example)
    assert settings.park.timezone == "Asia/Shanghai"
    data = tomllib.loads(example.read_text("utf-8"))

    def keys(model: type, prefix: str = "") -> set[str]:
        found: set[str] = set()
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                found |= keys(annotation, f"{prefix}{name}.")
            else:
                found.add(f"{prefix}{name}")
        return found

    def present(tree: dict, prefix: str = "") -> set[str]:
        found: set[str] = set()
        for name, value in tree.items():
            if isinstance(value, dict) and name not in (
                "category_keywords",
                "kind_keywords",
                "kind_working_days",
                "category_working_days",
            ):
                found |= present(value, f"{prefix}{name}.")
            else:
                found.add(f"{prefix}{name}")
        return found

    missing = keys(Settings) - present(data)
    assert not missing, f"config.example.toml does not document: {sorted(missing)}"


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[park]\nname = "文件园区"\nadmins = [1]\n')
    monkeypatch.setenv("LIAISON_PARK__NAME", "环境园区")
    monkeypatch.setenv("LIAISON_TELEGRAM__TOKEN", TOKEN)
    settings = load_settings(path)
    assert settings.park.name == "环境园区"
    assert settings.park.admins == [1]
    assert settings.telegram.token.get_secret_value() == TOKEN


def test_unknown_key_at_any_level_is_named(tmp_path: Path) -> None:
    for text, key in (
        ("[park]\nnmae = 1\n", "park.nmae"),
        ("[parc]\n", "parc"),
        ("[telegram.webhook]\nprot = 1\n", "telegram.webhook.prot"),
    ):
        with pytest.raises(ConfigError) as caught:
            load_settings(write(tmp_path, text))
        assert key in str(caught.value)


def test_bad_values_are_explained(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, '[park]\ntimezone = "Mars/Base"\nlocale = "fr"\n'))
    text = str(caught.value)
    assert "park.timezone" in text and "park.locale" in text
    assert "LIAISON_PARK__TIMEZONE" in text


def test_missing_file_and_broken_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[park\n"))


def test_token_never_echoed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = "999:this is not a token but secret"
    path = write(tmp_path, f'[telegram]\ntoken = "{secret}"\n')
    assert main(["--config", str(path), "check-config"]) == 2
    err = capsys.readouterr().err
    assert "telegram.token" in err
    assert "secret" not in err.replace("LIAISON", "")
    assert secret not in err


def test_check_config_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, f'[telegram]\ntoken = "{TOKEN}"\n')
    assert main(["--config", str(path), "check-config"]) == 0
    assert "config OK" in capsys.readouterr().out


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the CLI in-process; return its exit code and everything it printed."""
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_list_in_the_environment_that_is_not_json_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, f'[telegram]\ntoken = "{TOKEN}"\n')
    monkeypatch.setenv("LIAISON_PARK__ADMINS", "abc")
    code, out = run_cli(["--config", str(path), "check-config"], capsys)
    assert code == 2 and "Traceback" not in out
    assert len(out.strip().splitlines()) == 1
    assert "LIAISON_PARK__ADMINS" in out and "JSON" in out and "[123456789" in out
    monkeypatch.setenv("LIAISON_PARK__ADMINS", '[1, "x"]')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    # In the park's language (Chinese unless the config says otherwise), naming key and fix.
    assert caught.value.lines == [
        "配置错误：park.admins.1：应为整数"
        "（请在配置文件中修改，或设置环境变量 LIAISON_PARK__ADMINS）"
    ]
    assert caught.value.in_locale("en") == [
        "config error: park.admins.1: must be a whole number "
        "(set it in the config file or LIAISON_PARK__ADMINS)"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "http://",
        "https//api.telegram.org/bot",
        "http://127.0.0.1:abc/bot",
        "http://api telegram.org/bot",
        "https://api.telegram.org",  # the token would be glued to the host name
        "https://api.telegram.org/bot?x=1",
    ],
)
def test_a_malformed_api_base_url_is_one_line(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, f'[telegram]\napi_base_url = "{url}"\n'))
    lines = caught.value.in_locale("en")
    assert len(lines) == 1
    assert lines[0].startswith("config error: telegram.api_base_url: ")
    assert "https://api.telegram.org/bot" in lines[0]  # the example
    assert caught.value.lines[0].startswith("配置错误：telegram.api_base_url：")


def test_good_api_base_urls_pass() -> None:
    for url in ("https://api.telegram.org/bot", "http://127.0.0.1:8081/bot", "http://h/{token}/x"):
        assert load_settings(None, telegram={"api_base_url": url}).telegram.api_base_url == url


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[tickets.category_keywords]\ntax = []\n", "tickets.category_keywords"),
        ('[tickets.kind_keywords]\nquestion = ["怎么", " "]\n', "tickets.kind_keywords"),
        ("[tickets]\nurgent_keywords = []\n", "tickets.urgent_keywords"),
        ('[tickets]\nurgent_keywords = ["停电", ""]\n', "tickets.urgent_keywords"),
        ("[tickets]\nhashtags = []\n", "tickets.hashtags"),
        ('[jobs.words]\nsex = ["男性", ""]\n', "jobs.words"),
    ],
)
def test_empty_keywords_are_refused(
    tmp_path: Path, text: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, f'[telegram]\ntoken = "{TOKEN}"\n' + text)
    code, out = run_cli(["--config", str(path), "check-config"], capsys)
    assert code == 2 and key in out and "Traceback" not in out
    assert len(out.strip().splitlines()) == 1


def unusable_storage(tmp_path: Path) -> list[tuple[str, str]]:
    """storage.path values `run` cannot use, with what the line must say."""
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-dir").mkdir()
    cases = [
        (str(tmp_path / "a-dir"), "is a directory"),
        (str(tmp_path / "a-file" / "sub" / "bot.db"), "is a file"),
    ]
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "read-only"
        locked.mkdir(mode=0o500)
        cases.append((str(locked / "bot.db"), "not writable"))
    return cases


def test_an_unusable_storage_path_is_one_line_for_check_config_run_and_doctor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for storage, says in unusable_storage(tmp_path):
        path = write(
            tmp_path,
            '[park]\nlocale = "en"\n'
            f'[telegram]\ntoken = "{TOKEN}"\n[storage]\npath = "{storage}"\n',
        )
        for command in ("check-config", "run"):
            code, out = run_cli(["--config", str(path), command], capsys)
            assert code == 2, (command, out)
            assert out.startswith("config error: storage.path: ") and says in out
            assert len(out.strip().splitlines()) == 1 and "Traceback" not in out
        code, out = run_cli(["--config", str(path), "doctor"], capsys)
        assert code == 1 and "PROBLEM: storage.path: " in out and says in out
        assert "Traceback" not in out


def test_a_missing_directory_is_created_so_it_is_fine(tmp_path: Path) -> None:
    settings = load_settings(
        None, telegram={"token": TOKEN}, storage={"path": str(tmp_path / "new" / "bot.db")}
    )
    assert run_problems(settings, environ={}) == []


REFUSED_BY_RUN = {
    "an empty token": ("", {}, "telegram.token is empty"),
    "a bad proxy variable": (TOKEN, {"HTTPS_PROXY": "ftp://u:hunter2@h:21"}, "HTTPS_PROXY"),
    "a proxy without a host": (TOKEN, {"ALL_PROXY": "socks5://:1080"}, "ALL_PROXY"),
}


@pytest.mark.parametrize("case", list(REFUSED_BY_RUN))
def test_check_config_and_doctor_refuse_what_run_refuses(
    case: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    token, environ, says = REFUSED_BY_RUN[case]
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    db = tmp_path / "bot.db"
    park = '[park]\nlocale = "en"\n'
    path = write(tmp_path, f'{park}[telegram]\ntoken = "{token}"\n[storage]\npath = "{db}"\n')
    outputs = {}
    for command in ("run", "check-config"):
        code, out = run_cli(["--config", str(path), command], capsys)
        assert code == 2 and says in out and "Traceback" not in out, (command, out)
        outputs[command] = out
    assert outputs["run"] == outputs["check-config"]  # one validation, the same words
    code, out = run_cli(["--config", str(path), "doctor"], capsys)
    assert code == 1 and "PROBLEM: " in out and says in out
    assert "hunter2" not in "".join(outputs.values()) + out


def test_the_proxy_key_is_checked_and_never_echoed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, '[telegram]\nproxy = "gopher://me:hunter2@h:70"\n'))
    line = caught.value.in_locale("en")[0]
    assert line.startswith("config error: telegram.proxy: not a usable proxy: unsupported proxy")
    assert "hunter2" not in str(caught.value)
    settings = load_settings(write(tmp_path, '[telegram]\nproxy = "socks5://u:pw@h:1080"\n'))
    assert "pw" not in repr(settings)


def test_config_problems_are_worded_in_the_parks_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Chinese by default; the file's own park.locale when it can be read, even if broken."""
    path = write(tmp_path, '[telegram]\ntoken = ""\n[tickets]\nhashtags = ["x"]\n')
    code, out = run_cli(["--config", str(path), "check-config"], capsys)
    assert code == 2
    assert out.strip() == (
        "配置错误：tickets.hashtags：'x' 须以 # 开头（例如 #诉求）"
        "（请在配置文件中修改，或设置环境变量 LIAISON_TICKETS__HASHTAGS）"
    )
    path = write(tmp_path, '[telegram]\ntoken = ""\n')
    code, out = run_cli(["--config", str(path), "run"], capsys)
    assert code == 2 and out.startswith("配置错误：telegram.token 为空")
    path = write(tmp_path, '[park]\nlocale = "en"\nname = 3\n[calendar]\nwork_start = "25:00"\n')
    code, out = run_cli(["--config", str(path), "check-config"], capsys)
    assert code == 2 and "park.name: must be text" in out and "calendar.work_start" in out
    code, out = run_cli(["--config", str(tmp_path / "missing.toml"), "run"], capsys)
    assert code == 2 and out.startswith("找不到配置文件")
