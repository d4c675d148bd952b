"""No secret reaches any output: log lines, tracebacks (caught or not), warnings, prints."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

TOKEN = "123456:SECRET-token-value-abcdefghijklmn"
ROOT = Path(__file__).resolve().parents[1]


def test_token_is_redacted_from_messages_args_and_tracebacks() -> None:
    result = run_python(
        f"""
        import logging
        from bot.logs import setup_logging
        setup_logging("INFO", secrets=["{TOKEN}"])
        logger = logging.getLogger("redact-test")
        logger.warning("POST https://api.telegram.org/bot%s/getMe", "{TOKEN}")
        try:
            raise RuntimeError("failed calling /bot{TOKEN}/sendMessage")
        except RuntimeError:
            logger.exception("update 17 failed")
        """
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert TOKEN not in output
    assert output.count("***") >= 2
    assert "update 17 failed" in output


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter (the redaction is process-wide)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_no_output_stream_shows_a_secret() -> None:
    """Every logger and handler, an uncaught traceback, a warning, a print: all masked."""
    result = run_python(
        f"""
        import logging, sys, warnings
        from bot.logs import setup_logging
        own = logging.StreamHandler(sys.stdout)  # made before: holds the raw stdout
        lonely = logging.getLogger("lonely")
        lonely.addHandler(own)
        lonely.propagate = False
        setup_logging("INFO", secrets=["{TOKEN}", "proxy-pass"])
        lonely.error("token %s", "{TOKEN}")
        try:
            raise ValueError("inner {TOKEN}")
        except ValueError:
            lonely.exception("caught")
        logging.getLogger("x").warning("via root proxy-pass")
        warnings.warn("warned {TOKEN}")
        print("printed", "{TOKEN}")
        sys.stderr.write("{TOKEN[:10]}")  # a secret written in two pieces
        sys.stderr.write("{TOKEN[10:]}\\n")
        raise RuntimeError("The token `{TOKEN}` was rejected by the server.")
        """
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "RuntimeError" in output and "Traceback" in result.stderr
    assert "inner ***" in output and "printed ***" in output and "via root ***" in output
    assert TOKEN not in output and "proxy-pass" not in output
