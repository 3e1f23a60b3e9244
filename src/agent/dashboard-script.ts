/**
 * The dashboard's browser script, as text (plain ES2017, no library, no build step). It follows GET /api/events and
 * draws small SVG line charts by hand. Data from the agent is only ever put in the page as text (textContent), never
 * as HTML. Kept out of template interpolation on purpose: no `${` in here.
 */
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var HISTORY_MS = 10 * 60 * 1000;
  var MIN_SPAN_MS = 60 * 1000;
  var MAX_DECISIONS = 200;
  var SVG = 'http://www.w3.org/2000/svg';
  var host = [];
  var guests = {};
  var status = null;
  var observations = 0;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function bytes(b) {
    if (typeof b !== 'number' || !isFinite(b)) return '-';
    var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    var v = Math.abs(b);
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return (b < 0 ? '-' : '') + v.toFixed(i === 0 || v >= 100 ? 0 : 1) + ' ' + u[i];
  }
  function pct(a, b) { return b > 0 ? (100 * a / b).toFixed(1) + ' %' : '-'; }
  function clock(t) { return new Date(t).toLocaleTimeString(); }
  function setText(id, text) { var e = $(id); if (e) e.textContent = text; }
  function push(arr, p) {
    arr.push(p);
    while (arr.length > 0 && arr[0].t < p.t - HISTORY_MS) arr.shift();
  }

  // A line chart of points {t, key: value}: one path per key, gaps where a value is missing.
  function chart(svg, points, keys, yMax) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    if (points.length === 0) return;
    var W = 300, H = 100;
    // The window grows with the data: at least a minute, at most HISTORY_MS.
    var t1 = points[points.length - 1].t;
    var span = Math.max(MIN_SPAN_MS, Math.min(HISTORY_MS, t1 - points[0].t));
    var t0 = t1 - span;
    var top = yMax || 0;
    points.forEach(function (p) { keys.forEach(function (k) { if (p[k] > top) top = p[k]; }); });
    if (!(top > 0)) top = 1;
    keys.forEach(function (k) {
      var d = '', pen = 'M';
      points.forEach(function (p) {
        var v = p[k];
        if (typeof v !== 'number') { pen = 'M'; return; }
        var x = (W * (p.t - t0)) / span, y = H - (H * v) / top;
        d += pen + x.toFixed(1) + ' ' + y.toFixed(1) + ' ';
        pen = 'L';
      });
      if (!d) return;
      var path = document.createElementNS(SVG, 'path');
      path.setAttribute('d', d);
      path.setAttribute('class', 's-' + k);
      path.setAttribute('vector-effect', 'non-scaling-stroke');
      svg.appendChild(path);
    });
  }
  function newChart(big) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', big ? 'chart big' : 'chart');
    svg.setAttribute('viewBox', '0 0 300 100');
    svg.setAttribute('preserveAspectRatio', 'none');
    return svg;
  }

  function guestRow(name) {
    var g = guests[name];
    if (g) return g;
    var tr = el('tr');
    tr.setAttribute('data-guest', name);
    var cells = {};
    ['name', 'status', 'memory', 'balloon', 'rss', 'ksm'].forEach(function (c) {
      cells[c] = el('td', 'c-' + c);
      tr.appendChild(cells[c]);
    });
    cells.name.textContent = name;
    var chartCell = el('td', 'c-chart');
    var svg = newChart(false);
    chartCell.appendChild(svg);
    tr.appendChild(chartCell);
    $('guests').appendChild(tr);
    g = guests[name] = { tr: tr, cells: cells, svg: svg, points: [], seen: 0 };
    return g;
  }
  function targetOf(name) {
    if (!status) return undefined;
    for (var i = 0; i < status.guests.length; i++) {
      if (status.guests[i].name === name) return status.guests[i].balloonTargetBytes;
    }
    return undefined;
  }

  function onObservation(o) {
    observations++;
    var h = o.host;
    var used = h.memTotalBytes - h.memAvailableBytes;
    $('mem-bar').style.width = (h.memTotalBytes > 0 ? (100 * used) / h.memTotalBytes : 0).toFixed(1) + '%';
    setText('mem-used', bytes(used) + ' of ' + bytes(h.memTotalBytes) + ' (' + pct(used, h.memTotalBytes) + ')');
    setText('mem-available', bytes(h.memAvailableBytes));
    setText('mem-free', bytes(h.memFreeBytes));
    setText('mem-swap', bytes(h.swapTotalBytes - h.swapFreeBytes) + ' of ' + bytes(h.swapTotalBytes));
    var psi = h.psi && h.psi.memory ? h.psi.memory.some.avg10.toFixed(2) + ' %' : 'n/a';
    setText('mem-psi', psi);
    if (h.budget) {
      setText('mem-budget', bytes(h.budget.usageBytes) + ' of ' + (h.budget.limitBytes === null ? 'unlimited' : bytes(h.budget.limitBytes)));
    }
    setText('save-ksm', bytes(h.ksm.savedBytes) + ' (' + h.ksm.pagesSharing + ' pages sharing ' + h.ksm.pagesShared + ')');
    setText('save-zram', bytes(h.zram.origBytes) + ' stored in ' + bytes(h.zram.memUsedBytes) + ' (saves ' + bytes(h.zram.origBytes - h.zram.memUsedBytes) + ')');
    setText('save-zswap', bytes(h.zswap.storedBytes) + ' stored in ' + bytes(h.zswap.poolBytes) + ' (saves ' + bytes(h.zswap.storedBytes - h.zswap.poolBytes) + ')');
    push(host, { t: o.t, used: used, avail: h.memAvailableBytes });
    chart($('host-chart'), host, ['used', 'avail'], h.memTotalBytes);

    o.guests.forEach(function (og) {
      var g = guestRow(og.name);
      g.seen = observations;
      var target = targetOf(og.name);
      g.cells.memory.textContent = bytes(og.memoryBytes);
      g.cells.balloon.textContent = bytes(og.balloonActualBytes) + ' / ' + (target === undefined ? '-' : bytes(target));
      g.cells.rss.textContent = bytes(og.rssBytes);
      g.cells.ksm.textContent = og.ksmMergingPages === undefined ? '-' : bytes(og.ksmMergingPages * 4096);
      push(g.points, { t: o.t, actual: og.balloonActualBytes, target: target, rss: og.rssBytes });
      chart(g.svg, g.points, ['actual', 'target', 'rss'], og.memoryBytes);
    });
    Object.keys(guests).forEach(function (name) {
      if (guests[name].seen !== observations) guests[name].tr.classList.add('muted');
      else guests[name].tr.classList.remove('muted');
    });
    var tick = $('tick');
    tick.textContent = String(observations);
    tick.setAttribute('data-count', String(observations));
    setText('obs-time', clock(o.t));
  }

  function onStatus(s) {
    status = s;
    var st = $('host-state');
    st.textContent = s.hostState || 'n/a';
    st.className = 'state state-' + (s.hostState || 'none');
    setText('paused', s.paused ? 'paused: observing only' : 'acting');
    setText('loop-ticks', String(s.ticks));
    s.guests.forEach(function (ag) {
      var g = guestRow(ag.name);
      g.cells.status.textContent = ag.source + ' ' + ag.status;
      g.cells.status.className = 'c-status status-' + ag.status;
      g.cells.status.title = ag.error || '';
    });
  }

  function summary(a) {
    if (a.kind === 'balloon') return a.guest + ' -> ' + bytes(a.targetBytes);
    if (a.kind === 'tier') return a.tier + (a.enable ? ' on' : ' off');
    if (a.kind === 'host-state') return a.from + ' -> ' + a.to;
    if (a.kind === 'ksm') return Object.keys(a.set).map(function (k) { return k + '=' + a.set[k]; }).join(' ');
    return '';
  }
  function onDecision(d) {
    var li = el('li');
    li.appendChild(el('span', 'muted', clock(d.t) + ' '));
    li.appendChild(el('span', 'kind', d.action.kind));
    li.appendChild(el('span', '', summary(d.action) + ' '));
    if (!d.ok) li.appendChild(el('span', 'failed', 'failed' + (d.detail ? ': ' + d.detail : '')));
    li.appendChild(el('span', 'reason', d.policy + ': ' + d.action.reason));
    var list = $('decisions');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_DECISIONS) list.removeChild(list.lastChild);
  }

  function handler(fn) {
    return function (e) {
      try { fn(JSON.parse(e.data)); } catch (err) { setText('conn', 'bad event: ' + err); }
    };
  }
  var es = new EventSource('/api/events');
  es.addEventListener('observation', handler(onObservation));
  es.addEventListener('status', handler(onStatus));
  es.addEventListener('decision', handler(onDecision));
  es.onopen = function () { setText('conn', 'live'); };
  es.onerror = function () { setText('conn', 'reconnecting...'); };
})();
`;
