"""The proxy: which one is chosen (config key, standard variables, NO_PROXY) and that every Bot
API call really goes through it, credentials included but never shown."""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.config import load_settings
from bot.delivery.http import AiohttpRequest, telegram_request
from bot.delivery.proxy import ProxyConfigError, parse_proxy, resolve_proxy
from bot.logs import install_redaction
from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from tests.e2e.proxy import CountingProxy, CountingSocks5

TOKEN = "300003:PROXY-token-not-secret-0000000000"
API = "https://api.telegram.org/bot"


def test_https_api_uses_https_proxy_then_all_proxy_lower_case_first() -> None:
    env = {"HTTPS_PROXY": "http://upper:3128", "https_proxy": "http://lower:3128"}
    chosen = resolve_proxy("", API, env)
    assert chosen is not None and chosen.host == "lower" and chosen.source == "https_proxy"
    chosen = resolve_proxy("", API, {"HTTPS_PROXY": "http://upper:3128"})
    assert chosen is not None and chosen.host == "upper" and chosen.source == "HTTPS_PROXY"
    # HTTP_PROXY is for http:// URLs only; ALL_PROXY covers both.
    assert resolve_proxy("", API, {"HTTP_PROXY": "http://plain:3128"}) is None
    chosen = resolve_proxy("", API, {"ALL_PROXY": "socks5://s:1080"})
    assert chosen is not None and chosen.is_socks and chosen.source == "ALL_PROXY"
    chosen = resolve_proxy("", "http://127.0.0.1:8081/bot", {"http_proxy": "h:8080"})
    assert chosen is not None and chosen.url == "http://h:8080"


def test_no_proxy_and_the_config_key() -> None:
    env = {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "localhost,.telegram.org"}
    assert resolve_proxy("", API, env) is None
    assert resolve_proxy("", API, {**env, "NO_PROXY": "*"}) is None
    assert resolve_proxy("", API, {**env, "NO_PROXY": "example.com"}) is not None
    # The config key wins over the environment, NO_PROXY included.
    chosen = resolve_proxy("socks5://u:pw@10.0.0.1:1080", API, env)
    assert chosen is not None and chosen.source == "telegram.proxy" and chosen.port == 1080


def test_credentials_are_masked_and_bad_urls_refused_without_them() -> None:
    proxy = parse_proxy("http://alice:s3cr%40t@10.0.0.1:3128", source="HTTPS_PROXY")
    assert proxy.password == "s3cr@t" and proxy.secrets == ["s3cr@t"]
    assert proxy.display == "http://alice:***@10.0.0.1:3128"
    assert "s3cr" not in proxy.url
    for bad in ("ftp://bob:hunter2@h:21", "http://bob:hunter2@h:port", "socks5://:1080"):
        with pytest.raises(ProxyConfigError) as caught:
            parse_proxy(bad, source="ALL_PROXY")
        assert "hunter2" not in str(caught.value) and "ALL_PROXY" in str(caught.value)


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    sb = TelegramSandbox()
    await sb.start(port=0)
    async with SandboxClient(sb.control_url) as client:
        await client.create_bot(TOKEN, "proxy_test_bot")
    try:
        yield sb
    finally:
        await sb.stop()


@pytest.fixture
async def proxy() -> AsyncIterator[CountingProxy]:
    counting = CountingProxy()
    await counting.start()
    try:
        yield counting
    finally:
        await counting.stop()


async def test_bot_api_calls_go_through_the_configured_proxy_with_credentials(
    sandbox: TelegramSandbox, proxy: CountingProxy
) -> None:
    password = "pr0xy-pass-word"
    url = f"http://liaison:{password}@127.0.0.1:{proxy.port}"
    settings = load_settings(
        None, telegram={"token": TOKEN, "api_base_url": sandbox.api_base_url, "proxy": url}
    )
    request = telegram_request(settings.telegram, connections=2, environ={})
    async with Bot(TOKEN, base_url=sandbox.api_base_url, request=request) as bot:
        assert bot.username == "proxy_test_bot"
        await bot.get_webhook_info()
        await bot.set_my_commands([("help", "帮助")])  # a JSON body, with its own header
    host = f"127.0.0.1:{sandbox.port}"
    assert proxy.requests[f"POST {host}/bot{TOKEN}/getMe"] == 1
    assert proxy.requests[f"POST {host}/bot{TOKEN}/getWebhookInfo"] == 1
    assert proxy.requests[f"POST {host}/bot{TOKEN}/setMyCommands"] == 1
    expected = "Basic " + base64.b64encode(f"liaison:{password}".encode()).decode()
    assert proxy.auth_headers and set(proxy.auth_headers) == {expected}


async def test_socks5_proxy_with_credentials_resolves_the_host_remotely(
    sandbox: TelegramSandbox,
) -> None:
    socks = CountingSocks5()
    await socks.start()
    try:
        # "localhost", not an address: with socks5 the proxy resolves the API's host name.
        api = f"http://localhost:{sandbox.port}/bot"
        settings = load_settings(
            None,
            telegram={
                "token": TOKEN,
                "api_base_url": api,
                "proxy": f"socks5://liaison:sock-pass@127.0.0.1:{socks.port}",
            },
        )
        request = telegram_request(settings.telegram, connections=2, environ={})
        async with Bot(TOKEN, base_url=api, request=request) as bot:
            assert bot.username == "proxy_test_bot"
    finally:
        await socks.stop()
    assert socks.tunnels[f"localhost:{sandbox.port}"] >= 1
    assert socks.credentials[0] == ("liaison", "sock-pass")


async def test_proxy_failure_is_a_network_error_and_the_password_never_logged(
    sandbox: TelegramSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    from telegram.error import NetworkError

    password = "never-in-a-log"
    dead = parse_proxy(f"http://u:{password}@127.0.0.1:9", source="HTTPS_PROXY")
    install_redaction(dead.secrets)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("proxy-redaction-test")
    logger.addHandler(handler)
    try:
        request = AiohttpRequest(proxy=dead)
        bot = Bot(TOKEN, base_url=sandbox.api_base_url, request=request)
        with pytest.raises(NetworkError) as caught:
            await bot.get_me()
        await request.shutdown()
        logger.error("call failed via %s: %s", dead.display, caught.value, exc_info=True)
    finally:
        logger.removeHandler(handler)
    assert password not in stream.getvalue() and "u:***@127.0.0.1:9" in stream.getvalue()
