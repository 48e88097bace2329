/* Live updates: the organization's invalidation events (GET /live/events, web/live.py) into the
 * shell's stores (components/shell.py LIVE_*_ID), which the pages' callbacks take as inputs.
 *
 * The browser's own EventSource (no component library: dash-extensions would add a bundle to
 * every page for what these lines do). An event names topics only; the callbacks re-read through
 * the scoped data functions. Each store changes at most once a second (events coalesce), the
 * status store says "open" (pages turn their timed refresh off) or "down" (on again). The
 * EventSource reconnects by itself after a network error with Last-Event-ID; after an HTTP error
 * it closes, and this opens a new one with ?lastEventId= after a pause that grows.
 */
(function () {
  'use strict';
  var GAP_MS = 1000;
  var STORE_OF_TOPIC = {
    metrics: 'shell-live-data',
    campaigns: 'shell-live-data',
    notifications: 'shell-live-notifications',
    alerts: 'shell-live-alerts'
  };
  var STATUS_ID = 'shell-live-status';
  var LAYOUT_MARK = 'main-content'; // rendered from the shell's layout: its stores exist
  var source = null;
  var lastId = null;
  var pending = {};
  var timer = null;
  var lastFlush = 0;
  var pause = 1000;
  var ended = false;
  var live = window.kikiLive = {stores: STORE_OF_TOPIC, gapMs: GAP_MS, state: 'starting', lastId: null, flushes: 0};

  function url() {
    var prefix = '/';
    try {
      prefix = JSON.parse(document.getElementById('_dash-config').textContent)
        .requests_pathname_prefix || '/';
    } catch (e) { /* the default prefix */ }
    var query = lastId === null ? '' : '?lastEventId=' + encodeURIComponent(lastId);
    return prefix + 'live/events' + query;
  }

  function setData(id, value) {
    var clientside = window.dash_clientside;
    if (clientside && clientside.set_props) {
      clientside.set_props(id, {data: value});
    }
  }

  function flush() {
    timer = null;
    lastFlush = Date.now();
    live.flushes += 1;
    var changed = pending;
    pending = {};
    Object.keys(changed).forEach(function (id) { setData(id, changed[id]); });
  }

  function note(message) {
    var event = JSON.parse(message.data);
    lastId = live.lastId = event.id;
    (event.topics || []).forEach(function (topic) {
      if (STORE_OF_TOPIC[topic]) { pending[STORE_OF_TOPIC[topic]] = event.id; }
    });
    if (!timer && Object.keys(pending).length) {
      timer = setTimeout(flush, Math.max(0, lastFlush + GAP_MS - Date.now()));
    }
  }

  function connect() {
    if (ended || !window.EventSource) { return; }
    source = new EventSource(url());
    source.onopen = function () {
      pause = 1000;
      live.state = 'open';
      setData(STATUS_ID, 'open');
    };
    source.addEventListener('ready', function (m) { lastId = live.lastId = JSON.parse(m.data).id; });
    source.addEventListener('invalidate', note);
    source.addEventListener('reset', note); // every topic: the tab was away too long
    source.addEventListener('end', function () { // the session was revoked
      ended = true;
      live.state = 'ended';
      source.close();
      setData(STATUS_ID, 'down');
    });
    source.onerror = function () {
      live.state = 'down';
      setData(STATUS_ID, 'down');
      if (source.readyState === EventSource.CLOSED && !ended) {
        setTimeout(connect, pause);
        pause = Math.min(pause * 2, 60000);
      }
    };
  }

  function start() {
    if (document.getElementById(LAYOUT_MARK)) { connect(); return; }
    setTimeout(start, 200);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
