"""Headless Chromium for the dashboard tests and the benchmark: Debian's `chromium`, driven by
Playwright for Python (no browser download, ever).

Without chromium (or without the playwright package) the browser tests skip, saying why; with
LIAISON_REQUIRE_BROWSER=1 (CI) they fail instead, so CI cannot pass by skipping them.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

CHROMIUM = os.environ.get("LIAISON_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("LIAISON_ARTIFACTS", ROOT / "artifacts"))
LIGHT = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#3390ec",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f4f4f5",
}
DARK = {
    "bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "link_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#181818",
}


def why_no_browser() -> str | None:
    """None when the browser tests can run, else the reason they cannot."""
    if shutil.which(CHROMIUM) is None:
        return f"no chromium at {CHROMIUM} (apt-get install chromium; CI installs it)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


def require_browser() -> None:
    """Skip (or, with LIAISON_REQUIRE_BROWSER=1, fail) when no browser can run."""
    reason = why_no_browser()
    if reason is None:
        return
    if os.environ.get("LIAISON_REQUIRE_BROWSER") == "1":
        pytest.fail(f"LIAISON_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def launch_url(base: str, init_data: str, theme: dict[str, str] | None = None) -> str:
    """The address Telegram opens: the launch data in the fragment, as Telegram passes it."""
    params = {
        "tgWebAppData": init_data,
        "tgWebAppVersion": "8.0",
        "tgWebAppPlatform": "android",
        "tgWebAppThemeParams": json.dumps(theme or LIGHT),
    }
    fragment = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    return f"{base}/dashboard/#{fragment}"


class Recorder:
    """Every request a page makes; anything not for this machine is refused and kept."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.outside: list[str] = []

    async def attach(self, context: Any) -> None:
        async def route(route: Any) -> None:
            url = route.request.url
            self.urls.append(url)
            host = urlsplit(url).hostname
            if url.startswith(("blob:", "data:")) or host in ("127.0.0.1", "localhost"):
                await route.continue_()
            else:
                self.outside.append(url)
                await route.abort()

        await context.route("**/*", route)
