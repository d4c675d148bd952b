"""Local Telegram Bot API emulator ("sandbox") for tests, demos and benchmarks."""

from sandbox.client import SandboxClient, SandboxControlError
from sandbox.server import TelegramSandbox
from sandbox.state import ControlError

__all__ = ["ControlError", "SandboxClient", "SandboxControlError", "TelegramSandbox"]
