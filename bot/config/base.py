"""What every settings section shares: the strict base model, `ConfigError` and its wording.

A configuration problem is a catalog key (`config.*`, in `bot/locales/*/config.toml`) with its
parameters, not a sentence: validators raise `invalid(...)`, the loader turns pydantic's own
errors into the same form, and `ConfigError.lines` words them in the reader's language (the
park's `locale`, Chinese by default), so the operator reads what to fix in their language.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

from bot.i18n import LOCALES, t_plain

DEFAULT_LOCALE = "zh_CN"
# pydantic error types of our own validators start with this; the rest names the problem.
PROBLEM_TYPE = "config_"


@dataclass(frozen=True)
class Problem:
    """One thing to fix: `config.<key>` of the catalogs, with its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    # What is wrong with the key, worded in the same language as the line (its {problem}).
    inner: Problem | None = None

    def line(self, locale: str) -> str:
        params = dict(self.params)
        if self.inner is not None:
            params["problem"] = self.inner.line(locale)
        return t_plain(locale, f"config.{self.key}", **params)


class ConfigError(Exception):
    """The configuration cannot be used; `lines` says what to fix, one line per problem."""

    def __init__(self, problems: list[Problem], *, locale: str = DEFAULT_LOCALE) -> None:
        self.problems = problems
        self.locale = locale
        # The exception's own text (logs, tracebacks) is English; people read `lines`.
        super().__init__("\n".join(self.in_locale("en")))

    @property
    def lines(self) -> list[str]:
        """The problems in the reader's language."""
        return self.in_locale(self.locale)

    def in_locale(self, locale: str) -> list[str]:
        return [problem.line(locale) for problem in self.problems]


def invalid(problem: str, **params: Any) -> PydanticCustomError:
    """A validator's refusal, worded later from `config.problem.<problem>` with `params`."""
    text = {name: str(value) for name, value in params.items()}
    english = t_plain("en", f"config.problem.{problem}", **text)
    # pydantic fills {name} from the context itself; the English text is already filled in.
    return PydanticCustomError(
        PROBLEM_TYPE + problem, english.replace("{", "(").replace("}", ")"), text
    )


def reader_locale(file: Path | None, overrides: dict[str, Any] | None = None) -> str:
    """The language to report problems in, read as leniently as possible from a config that
    may itself be broken: the overrides, LIAISON_PARK__LOCALE, the file's park.locale, else
    Chinese."""
    candidates = [
        ((overrides or {}).get("park") or {}).get("locale"),
        os.environ.get("LIAISON_PARK__LOCALE"),
    ]
    if file is not None:
        unreadable = (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError)
        with contextlib.suppress(*unreadable):
            candidates.append(tomllib.loads(file.read_text("utf-8")).get("park", {}).get("locale"))
    for candidate in candidates:
        if isinstance(candidate, str) and candidate in LOCALES:
            return candidate
    return DEFAULT_LOCALE


class Section(BaseModel):
    """One TOML table: unknown keys are refused, defaults are validated like given values."""

    model_config = ConfigDict(extra="forbid", validate_default=True)
