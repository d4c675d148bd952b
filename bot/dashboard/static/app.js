// 服务驾驶舱: a small page over the bot's JSON API. Every request carries Telegram's initData;
// the server decides what this user may see. Texts come from the bot's locale catalogs (in the
// page) and from the API (labels in the user's words); all of it goes in as textContent. The
// one piece of markup taken from the server is the chart, SVG the server drew and escaped.
(function () {
  'use strict';
  var strings = JSON.parse(document.getElementById('strings').textContent);
  var L = strings.texts[strings.locale];
  var tg = (window.Telegram && window.Telegram.WebApp) || null;
  var initData = tg ? tg.initData : '';
  var main = document.getElementById('main');
  var me = null;
  var history = [];

  function t(key, params) {
    var text = L[key] || key;
    Object.keys(params || {}).forEach(function (k) { text = text.split('{' + k + '}').join(params[k]); });
    return text;
  }

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { node.textContent = attrs[k]; }
      else if (k === 'on') { node.addEventListener('click', attrs[k]); }
      else if (attrs[k] !== null && attrs[k] !== undefined) { node.setAttribute(k, attrs[k]); }
    });
    for (var i = 2; i < arguments.length; i++) { if (arguments[i]) { node.appendChild(arguments[i]); } }
    return node;
  }

  // Put nodes in the page, skipping the absent ones (the DOM would print "null").
  function render() { main.replaceChildren.apply(main, [].filter.call(arguments, Boolean)); }

  function api(path, body) {
    var options = { headers: { Authorization: 'tma ' + initData } };
    if (body) {
      options.method = 'POST';
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    return fetch('api/' + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw { status: response.status, message: data.message || t('failed') }; }
        return data;
      });
    });
  }

  function fail(error) {
    var message = (error && error.message) || t('failed');
    if (error && error.status === 401) { message = message || t('unauthorized'); }
    render(el('p', { class: 'error', id: 'error', 'data-status': String(error && error.status), text: message }));
  }

  function pct(rate) { return rate && rate.pct !== null ? rate.pct.toFixed(1) + '%' : '—'; }

  function tile(key, value, sub, cls, onTap) {
    var node = el('div', { class: 'tile ' + (cls || ''), 'data-key': key },
      el('b', { text: value }), el('span', { text: t(key) + (sub ? ' · ' + sub : '') }));
    if (onTap) { node.classList.add('tap'); node.addEventListener('click', onTap); }
    return node;
  }

  function weekbar(data, show) {
    return el('div', { class: 'weekbar' },
      el('button', { class: 'act ghost', id: 'prev', text: '‹', on: function () { show(data.prev); } }),
      el('strong', { id: 'week', 'data-week': data.week.label, text: data.week.text }),
      el('button', { class: 'act ghost', id: 'next', text: '›', disabled: data.next ? null : 'disabled',
        on: function () { if (data.next) { show(data.next); } } }));
  }

  // -- 总览 -------------------------------------------------------------------------------------
  function overview(week) {
    return api('overview' + (week ? '?week=' + week : '')).then(function (data) {
      var f = data.figures;
      var tiles = el('div', { class: 'grid', id: 'figures' });
      if (f) {
        tiles.append(tile('received', String(f.received)));
        ['response', 'closure', 'closure_ytd', 'on_time', 'solved', 'satisfaction'].forEach(function (k) {
          tiles.append(tile(k, pct(f[k]), f[k].num + '/' + f[k].den, f[k].pct !== null && f[k].pct < 70 ? 'low' : ''));
        });
        tiles.append(tile('score', f.score === null ? '—' : f.score.toFixed(1)));
      }
      var c = data.counts;
      var counts = el('div', { class: 'grid', id: 'counts' },
        tile('overdue', String(c.overdue), '', c.overdue ? 'alert' : '', function () { go(tickets, { overdue: '1' }); }),
        tile('supervised', String(c.supervised), '', '', function () { go(tickets, { supervised: '1' }); }),
        tile('reopened', String(c.reopened)));
      var chart = el('div', { class: 'chart', id: 'chart' });
      chart.innerHTML = data.chart; // server-drawn SVG, labels escaped there
      render(weekbar(data, overview), el('p', { class: 'note', text: data.as_of }),
        el('h2', { text: t(data.scope === 'cadre' ? 'own_figures' : 'park_figures') }),
        f ? tiles : el('p', { class: 'note', text: t('no_figures') }), counts,
        el('h2', { text: data.trend_title }), chart, me.can_export ? exportForm() : null);
      performance.mark('charts-drawn');
      document.body.setAttribute('data-charts', 'drawn');
    });
  }

  function exportForm() {
    var from = el('input', { type: 'date', id: 'export-from', value: me.export.from, 'aria-label': t('export_from') });
    var to = el('input', { type: 'date', id: 'export-to', value: me.export.to, 'aria-label': t('export_to') });
    var out = el('p', { class: 'note', id: 'export-result' });
    return el('section', {}, el('h2', { text: t('export') }), el('div', { class: 'filters' }, from, to,
      el('button', { class: 'act', id: 'export', text: t('export'), on: function () {
        api('export', { from: from.value, to: to.value }).then(function (r) { out.textContent = r.message; },
          function (e) { out.textContent = e.message; });
      } })), out);
  }

  // -- 干部 -------------------------------------------------------------------------------------
  var SORTS = ['score', 'response', 'closure', 'satisfaction', 'solved', 'on_time'];
  function cadres(week, sort) {
    sort = sort || 'score';
    return api('cadres' + (week ? '?week=' + week : '')).then(function (data) {
      var key = function (c) { return sort === 'score' ? c.metrics.score : c.metrics[sort].pct; };
      var ranked = data.ranked.slice();
      if (sort !== 'score') { ranked.sort(function (a, b) { return (key(b) === null ? -1 : key(b)) - (key(a) === null ? -1 : key(a)); }); }
      var select = el('select', { id: 'sort', 'aria-label': t('sort') });
      SORTS.forEach(function (s) { select.append(el('option', { value: s, text: t(s) })); });
      select.value = sort;
      select.addEventListener('change', function () { cadres(data.week.label, select.value); });
      var line = function (c, ranked) {
        var head = el('div', { class: 'row' }, el('span', { class: 'name', text: (ranked ? c.rank + '. ' : '') + c.name }),
          el('span', { text: ranked ? (c.metrics.score === null ? '—' : c.metrics.score.toFixed(1)) : t('tickets_count', { count: c.metrics.sample }) }));
        if (ranked) {
          if (c.board) { head.firstChild.append(el('span', { class: 'tag ' + c.board, text: t(c.board) })); }
          if (c.tied) { head.firstChild.append(el('span', { class: 'tag', text: t('tied') })); }
          head.firstChild.append(el('span', { class: 'tag', text: c.change }));
        }
        var rates = ['response', 'closure', 'satisfaction'].map(function (k) { return t(k) + ' ' + pct(c.metrics[k]); }).join(' · ');
        return el('li', { class: 'tap' + (c.board ? ' board-' + c.board : ''), 'data-cadre': String(c.id),
          on: function () { go(tickets, { cadre: String(c.id), cadre_name: c.name }); } },
          head, el('div', { class: 'note', text: rates }));
      };
      var list = el('ul', { class: 'list', id: 'ranked' });
      ranked.forEach(function (c) { list.append(line(c, true)); });
      var apart = el('ul', { class: 'list', id: 'insufficient' });
      data.insufficient.forEach(function (c) { apart.append(line(c, false)); });
      render(weekbar(data, function (w) { cadres(w, sort); }),
        el('div', { class: 'filters' }, el('span', { class: 'note', text: t('sort') }), select),
        el('h2', { text: t('ranking') }), list, el('h2', { text: data.insufficient_title }), apart);
    });
  }

  // -- 工单 / 我的诉求 ------------------------------------------------------------------------------
  function options(id, label, pairs, value) {
    var select = el('select', { id: id, 'aria-label': label }, el('option', { value: '', text: label + '：' + t('all') }));
    pairs.forEach(function (p) { select.append(el('option', { value: String(p[0]), text: p[1] })); });
    select.value = value || '';
    return select;
  }

  function tickets(filters) {
    filters = filters || {};
    var query = Object.keys(filters).filter(function (k) { return filters[k] && k !== 'cadre_name'; })
      .map(function (k) { return k + '=' + encodeURIComponent(filters[k]); }).join('&');
    return api('tickets?' + query).then(function (data) {
      var staff = me.role !== 'enterprise';
      var change = function (k, v) { var next = Object.assign({}, filters); next[k] = v; delete next.offset; tickets(next); };
      var bar = el('div', { class: 'filters', id: 'filters' });
      var labels = me.labels;
      var add = function (select, k) { select.addEventListener('change', function () { change(k, select.value); }); bar.append(select); };
      add(options('f-status', t('status'), Object.keys(labels.status).map(function (s) { return [s, labels.status[s]]; }), filters.status), 'status');
      if (staff) {
        add(options('f-enterprise', t('enterprise'), data.enterprises.map(function (e) { return [e.id, e.name]; }), filters.enterprise), 'enterprise');
        add(options('f-category', t('category'), Object.keys(labels.category).map(function (c) { return [c, labels.category[c]]; }), filters.category), 'category');
        add(options('f-week', t('week_filter'), me.weeks.map(function (w) { return [w.label, w.text]; }), filters.week), 'week');
        ['overdue', 'supervised'].forEach(function (k) {
          var box = el('input', { type: 'checkbox', id: 'f-' + k });
          box.checked = filters[k] === '1';
          box.addEventListener('change', function () { change(k, box.checked ? '1' : ''); });
          bar.append(el('label', { class: 'check' }, box, document.createTextNode(t('only_' + k))));
        });
        if (filters.cadre) {
          bar.append(el('button', { class: 'act ghost', id: 'f-cadre', text: t('cadre_filter', { name: filters.cadre_name || filters.cadre }) + ' ✕',
            on: function () { change('cadre', ''); } }));
        }
      }
      var list = el('ul', { class: 'list', id: 'tickets' });
      data.tickets.forEach(function (item) {
        var tags = el('span', {});
        if (item.overdue) { tags.append(el('span', { class: 'tag over', text: t('overdue') })); }
        if (item.supervision) { tags.append(el('span', { class: 'tag sup', text: t('level', { level: item.supervision }) })); }
        if (item.rating_owed) { tags.append(el('span', { class: 'tag', text: t('rating_owed') })); }
        list.append(el('li', { class: 'tap', 'data-ticket': String(item.id), on: function () { go(ticket, item.id); } },
          el('div', { class: 'row' }, el('strong', { text: '#' + item.id + ' ' + item.status_text }), tags),
          el('div', { text: item.content.slice(0, 60) }),
          el('div', { class: 'note', text: item.enterprise + ' · ' + item.category + ' · ' + item.assignee + ' · ' + t('deadline') + ' ' + item.deadline })));
      });
      var more = data.more ? el('button', { class: 'act ghost', id: 'more', text: t('more'), on: function () {
        var next = Object.assign({}, filters); next.offset = String((+filters.offset || 0) + data.tickets.length); tickets(next);
      } }) : null;
      render(bar, data.tickets.length ? list : el('p', { class: 'note', id: 'empty', text: t('empty') }), more);
    });
  }

  function ticket(id) {
    return api('tickets/' + id).then(function (d) {
      var kv = el('dl', { class: 'kv', id: 'facts' });
      var fact = function (key, value) { if (value) { kv.append(el('dt', { text: t(key) }), el('dd', { 'data-key': key, text: value })); } };
      fact('enterprise', d.enterprise); fact('category', d.category + ' · ' + d.kind); fact('assignee', d.assignee);
      fact('created', d.created); fact('claim_due', d.claim_due); fact('response_due', d.response_due);
      fact('deadline', d.deadline + (d.overdue ? ' · ' + t('overdue') : ''));
      fact('rating', d.rating_owed ? t('rating_owed') : d.rating);
      if (d.supervision) { fact('supervised', t('level', { level: d.supervision })); }
      if (d.reopens) { fact('reopened', t('reopens', { count: d.reopens })); }
      var log = el('ul', { class: 'list', id: 'history' });
      d.history.forEach(function (h) { log.append(el('li', {}, el('div', { class: 'row' }, el('strong', { text: h.text }), el('span', { class: 'note', text: h.at })), h.note ? el('div', { text: h.note }) : null)); });
      var photos = el('div', { class: 'photos', id: 'files' });
      d.files.forEach(function (f) {
        fetch('api/tickets/' + d.id + '/files/' + f.id, { headers: { Authorization: 'tma ' + initData } })
          .then(function (r) { return r.ok ? r.blob() : null; })
          // The server says what may be shown: an image type inline, anything else a download.
          .then(function (blob) { if (blob) { photos.append(blob.type.indexOf('image/') === 0 ? el('img', { alt: f.name, src: URL.createObjectURL(blob) }) : el('a', { href: URL.createObjectURL(blob), download: f.name, text: f.name })); } });
      });
      var out = el('p', { class: 'message', id: 'action-result' });
      out.hidden = true;
      var act = function (path, body) { return function () {
        api('tickets/' + d.id + '/' + path, body).then(function (r) { out.hidden = false; out.textContent = r.message; ticket(d.id).then(function () { main.prepend(out); }); },
          function (e) { out.hidden = false; out.textContent = e.message; });
      }; };
      var actions = el('div', { id: 'actions' });
      if (me.can_supervise && d.open && !d.supervision) { actions.append(el('button', { class: 'act', id: 'supervise', text: t('supervise'), on: act('supervise', {}) })); }
      if (d.pending) {
        actions.append(el('p', { text: d.pending.text }),
          el('button', { class: 'act', id: 'approve', text: t('approve'), on: act('extension', { request_id: d.pending.request_id, approve: true }) }),
          el('button', { class: 'act ghost', id: 'refuse', text: t('refuse'), on: act('extension', { request_id: d.pending.request_id, approve: false }) }));
      }
      render(out, el('h2', { id: 'ticket-title', text: '#' + d.id + ' · ' + d.status_text }), kv,
        el('p', { class: 'content', text: d.content }),
        actions.childNodes.length ? el('section', {}, el('h2', { text: t('actions') }), actions) : null,
        d.files.length ? el('section', {}, el('h2', { text: t('photos') }), photos) : null,
        el('h2', { text: t('history') }), log);
    });
  }

  // -- navigation -------------------------------------------------------------------------------
  function show(view, arg) {
    render(el('p', { class: 'note', text: t('loading') }));
    if (tg && tg.BackButton) { history.length ? tg.BackButton.show() : tg.BackButton.hide(); }
    return view(arg).catch(fail);
  }
  function go(view, arg) { history.push(current); current = [view, arg]; return show(view, arg); }
  function back() { if (history.length) { current = history.pop(); show(current[0], current[1]); } }
  var current = null;
  var PAGES = { overview: overview, cadres: cadres, tickets: tickets, mine: tickets };

  function tabs() {
    var nav = document.getElementById('tabs');
    me.pages.forEach(function (name, index) {
      var button = el('button', { id: 'tab-' + name, text: t('tab_' + name), on: function () {
        nav.querySelectorAll('button').forEach(function (b) { b.classList.remove('on'); });
        button.classList.add('on'); history = []; current = [PAGES[name], undefined]; show(PAGES[name]);
      } });
      if (index === 0) { button.classList.add('on'); }
      nav.append(button);
    });
  }

  document.getElementById('title').textContent = t('title');
  if (tg) { tg.ready(); tg.expand(); if (tg.BackButton) { tg.BackButton.onClick(back); } }
  api('me').then(function (data) {
    me = data;
    L = strings.texts[me.locale] || L;
    document.documentElement.lang = me.locale === 'en' ? 'en' : 'zh-CN';
    document.getElementById('title').textContent = t('title');
    tabs();
    current = [PAGES[me.pages[0]], undefined];
    return show(current[0]);
  }).catch(fail);
})();
