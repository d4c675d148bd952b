"""liaison-bot (企业服务助手): enterprise service tickets in Telegram groups."""

__version__ = "0.1.0"
