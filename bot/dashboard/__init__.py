"""服务驾驶舱: the Telegram Mini App served by the bot (aiohttp routes -> services; no SQL)."""
