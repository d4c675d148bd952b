// A minimal stand-in for telegram.org/js/telegram-web-app.js, served by the bot itself
// ([dashboard] telegram_script = ""). Telegram opens a Mini App with its launch data in the
// address (#tgWebAppData=...&tgWebAppThemeParams=...); this reads it as the real script does,
// exposes window.Telegram.WebApp (initData, initDataUnsafe, themeParams, colorScheme) and sets
// the --tg-theme-* CSS variables. The server checks initData's signature; nothing here is trusted.
(function () {
  'use strict';
  var KEY = '__telegram__launch';
  var params = {};
  var hash = location.hash.replace(/^#/, '');
  if (hash.indexOf('tgWebAppData=') >= 0) {
    new URLSearchParams(hash).forEach(function (value, key) { params[key] = value; });
    try { sessionStorage.setItem(KEY, JSON.stringify(params)); } catch (e) { /* private mode */ }
  } else {
    try { params = JSON.parse(sessionStorage.getItem(KEY) || '{}'); } catch (e) { params = {}; }
  }
  var initData = params.tgWebAppData || '';
  var unsafe = {};
  new URLSearchParams(initData).forEach(function (value, key) {
    try { unsafe[key] = key === 'user' ? JSON.parse(value) : value; } catch (e) { unsafe[key] = value; }
  });
  var theme = {};
  try { theme = JSON.parse(params.tgWebAppThemeParams || '{}'); } catch (e) { theme = {}; }
  var root = document.documentElement.style;
  Object.keys(theme).forEach(function (name) {
    root.setProperty('--tg-theme-' + name.replace(/_/g, '-'), theme[name]);
  });
  function dark(color) {
    var m = /^#([0-9a-f]{6})$/i.exec(color || '');
    if (!m) { return window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches; }
    var n = parseInt(m[1], 16);
    return (0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) < 120;
  }
  var noop = function () {};
  var back = { isVisible: false, show: function () { this.isVisible = true; },
    hide: function () { this.isVisible = false; }, onClick: noop, offClick: noop };
  window.Telegram = window.Telegram || {};
  window.Telegram.WebApp = {
    initData: initData,
    initDataUnsafe: unsafe,
    version: params.tgWebAppVersion || '6.0',
    platform: params.tgWebAppPlatform || 'unknown',
    themeParams: theme,
    colorScheme: dark(theme.bg_color) ? 'dark' : 'light',
    BackButton: back,
    ready: noop, expand: noop, close: noop, onEvent: noop, offEvent: noop
  };
})();
