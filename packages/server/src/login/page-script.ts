/**
 * The login page's only script (inline, allowed by the CSP nonce). Plain ES2017 text, not
 * compiled: it reads its settings from the `#dv-data` JSON block, opens
 * `EventSource(<base>/api/login/events?state=…)` at once and follows `redirect`, `failed` and
 * `expired`; when EventSource is missing or errors it polls `<base>/api/login/status` every 2 s.
 * The visible m:ss countdown is hidden from screen readers (it changes every second); its
 * polite live twin is updated only at 90, 60, 30 and 10 seconds left.
 * It never writes HTML: texts go through `textContent`, and only http(s) redirects are followed.
 */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var dataEl = document.getElementById('dv-data');
  if (!dataEl) return;
  var cfg = JSON.parse(dataEl.textContent || '{}');
  var m = cfg.messages || {};
  var q = 'state=' + encodeURIComponent(cfg.state);
  var eventsUrl = cfg.base + '/api/login/events?' + q;
  var statusUrl = cfg.base + '/api/login/status?' + q;
  var deadline = Date.now() + cfg.expiresIn * 1000;
  var timeEl = document.getElementById('dv-time');
  var srEl = document.getElementById('dv-time-sr');
  var done = false, es = null, polling = false, pollTimer = null, tickTimer = null, announced = -1;

  function fmt(t, v) {
    return String(t || '').replace(/\{(\w+)\}/g, function (x, k) {
      return Object.prototype.hasOwnProperty.call(v, k) ? String(v[k]) : x;
    });
  }
  function stop() {
    done = true;
    if (es) { es.close(); es = null; }
    if (pollTimer) { clearTimeout(pollTimer); pollTimer = null; }
    if (tickTimer) { clearInterval(tickTimer); tickTimer = null; }
  }
  function show(title, lines, withBack) {
    stop();
    var login = document.getElementById('dv-login');
    if (login) login.hidden = true;
    var out = document.getElementById('dv-outcome');
    if (!out) return;
    out.textContent = '';
    var h = document.createElement('h2');
    h.textContent = title;
    h.tabIndex = -1;
    out.appendChild(h);
    lines.forEach(function (t) {
      var p = document.createElement('p');
      p.textContent = t;
      out.appendChild(p);
    });
    if (withBack && cfg.homeUri) {
      var p = document.createElement('p');
      var a = document.createElement('a');
      a.href = cfg.homeUri;
      a.className = 'button';
      a.textContent = fmt(m.backTo, { site: cfg.homeSite });
      p.appendChild(a);
      out.appendChild(p);
    }
    out.hidden = false;
    h.focus();
  }
  function expired() { if (!done) show(m.expiredTitle, [m.expiredMessage], true); }
  function notStarted() { if (!done) show(m.failedTitle, [m.notStartedMessage], true); }
  function failed(reason) {
    if (done) return;
    var lines = [m.failedMessage];
    if (reason) lines.push(fmt(m.failedReason, { reason: reason }));
    show(m.failedTitle, lines, true);
  }
  function redirect(url) {
    if (done) return;
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) { failed(''); return; }
    show(m.redirecting, [], false);
    window.location.assign(url);
  }
  function setExpiresIn(s) {
    if (typeof s === 'number' && s >= 0) deadline = Date.now() + s * 1000;
  }
  function tick() {
    if (done) return;
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    if (timeEl) timeEl.textContent = Math.floor(left / 60) + ':' + ('0' + (left % 60)).slice(-2);
    if (srEl && left !== announced && (left === 90 || left === 60 || left === 30 || left === 10)) {
      announced = left;
      srEl.textContent = fmt(m.secondsLeft, { n: left });
    }
    if (left === 0) expired();
  }
  function onStatus(b) {
    if (!b || typeof b !== 'object') return;
    if (b.status === 'complete') redirect(b.redirect_to);
    else if (b.status === 'failed') failed(b.error);
    else if (b.status === 'expired') expired();
    else setExpiresIn(b.expires_in);
  }
  function poll() {
    if (done) return;
    fetch(statusUrl, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (r) {
        if (r.status === 403) { notStarted(); return null; }
        return r.ok ? r.json() : null;
      })
      .then(onStatus, function () {})
      .then(function () { if (!done) pollTimer = setTimeout(poll, 2000); });
  }
  function startPolling() {
    if (es) { es.close(); es = null; }
    if (done || polling || typeof window.fetch !== 'function') return;
    polling = true;
    poll();
  }
  function data(e) {
    try { return JSON.parse(e.data); } catch (x) { return {}; }
  }

  tick();
  if (done) return;
  tickTimer = setInterval(tick, 1000);
  if (typeof window.EventSource !== 'function') {
    startPolling();
    return;
  }
  try {
    es = new EventSource(eventsUrl);
    es.addEventListener('redirect', function (e) { redirect(e.data); });
    es.addEventListener('failed', function (e) { failed(data(e).error); });
    es.addEventListener('expired', function () { expired(); });
    es.addEventListener('pending', function (e) { setExpiresIn(data(e).expires_in); });
    es.onerror = function () { if (!done) startPolling(); };
  } catch (x) {
    startPolling();
  }
})();`;
