"""What every settings section shares: the strict base model and `ConfigError`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ConfigError(Exception):
    """The configuration cannot be used; `lines` says what to fix, one line per problem."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


class Section(BaseModel):
    """One TOML table: unknown keys are refused, defaults are validated like given values."""

    model_config = ConfigDict(extra="forbid", validate_default=True)
