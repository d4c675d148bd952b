"""Which proxy the Bot API calls go through: `[telegram] proxy`, else the standard variables.

Telegram is unreachable without a proxy from many networks, so every command that talks to the
Bot API (`run`, `doctor`, `invite`) resolves its proxy here, the same way: the config key wins;
otherwise `HTTPS_PROXY` (for an https API URL) or `HTTP_PROXY` (for http), then `ALL_PROXY`, in
upper or lower case, unless `NO_PROXY` covers the API's host. http(s) proxies and socks4/socks5
are supported. Credentials in a proxy URL are secrets: `display` never shows them.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

PROXY_SCHEMES = ("http", "https", "socks4", "socks5", "socks5h")
SOCKS_SCHEMES = ("socks4", "socks5", "socks5h")


class ProxyConfigError(ValueError):
    """A proxy URL cannot be used; the message never contains its credentials."""


@dataclass(frozen=True)
class Proxy:
    """One proxy: where it is, its credentials (secret), and where the choice came from."""

    scheme: str
    host: str
    port: int
    username: str
    password: str
    source: str  # "telegram.proxy" or the variable's name, e.g. "HTTPS_PROXY"

    @property
    def is_socks(self) -> bool:
        return self.scheme in SOCKS_SCHEMES

    @property
    def url(self) -> str:
        """The proxy's URL without credentials (they go in a header or the socks handshake)."""
        return f"{self.scheme}://{_host(self.host)}:{self.port}"

    @property
    def display(self) -> str:
        """For operators and logs: the URL with the credentials masked."""
        auth = f"{self.username}:***@" if self.username or self.password else ""
        return f"{self.scheme}://{auth}{_host(self.host)}:{self.port}"

    @property
    def secrets(self) -> list[str]:
        """Values to redact from every output stream."""
        return [self.password] if self.password else []


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def parse_proxy(url: str, *, source: str) -> Proxy:
    """Parse a proxy URL such as `socks5://user:pass@127.0.0.1:1080`.

    Raises:
        ProxyConfigError: not a URL with a supported scheme, a host and a valid port.
    """
    text = url.strip()
    if "://" not in text:
        # curl and requests accept a bare host:port as an http proxy.
        text = f"http://{text}"
    try:
        parts: SplitResult = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ProxyConfigError(f"{source}: not a valid proxy URL (bad port?)") from None
    scheme = parts.scheme.lower()
    if scheme not in PROXY_SCHEMES:
        raise ProxyConfigError(
            f"{source}: unsupported proxy scheme {scheme!r}; use one of {', '.join(PROXY_SCHEMES)}"
        )
    if not parts.hostname:
        raise ProxyConfigError(
            f"{source}: the proxy URL has no host (example: http://10.0.0.1:3128)"
        )
    default_port = {"http": 80, "https": 443}.get(scheme, 1080)
    return Proxy(
        scheme=scheme,
        host=parts.hostname,
        port=port or default_port,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        source=source,
    )


def _env_value(environ: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """The variable's value and its spelled name; lower case wins, as in curl and urllib."""
    for spelled in (name.lower(), name.upper()):
        value = environ.get(spelled, "").strip()
        if value:
            return spelled, value
    return None


def _bypassed(host: str, environ: Mapping[str, str]) -> bool:
    """Whether NO_PROXY / no_proxy covers `host` (urllib's rules: suffixes, `*`, host:port)."""
    found = _env_value(environ, "no_proxy")
    if found is None:
        return False
    # Public in urllib.request, though missing from the type stubs.
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    return bool(bypass(host, {"no": found[1]}))


def resolve_proxy(configured: str, api_base_url: str, environ: Mapping[str, str]) -> Proxy | None:
    """Choose the proxy for calls to `api_base_url`; None means a direct connection.

    Args:
        configured: `[telegram] proxy` ("" = use the environment).
        api_base_url: the Bot API's base URL (its scheme picks the variable, its host NO_PROXY).
        environ: the process environment.

    Raises:
        ProxyConfigError: the chosen proxy URL is not usable.
    """
    if configured.strip():
        return parse_proxy(configured, source="telegram.proxy")
    target = urlsplit(api_base_url)
    if target.hostname and _bypassed(target.hostname, environ):
        return None
    names = ("https_proxy",) if target.scheme == "https" else ("http_proxy",)
    for name in (*names, "all_proxy"):
        found = _env_value(environ, name)
        if found is not None:
            return parse_proxy(found[1], source=found[0])
    return None
