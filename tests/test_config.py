"""Configuration: TOML plus LIAISON_ environment overrides; clear one-line errors; no secrets."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, Settings, load_settings

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
