"""Locale catalogs (TOML) for bot.i18n."""
