/**
 * The status page itself: a static shell, its style and its script. The script builds every
 * element with createElement and textContent, never from HTML text, so nothing the agent or a
 * check reports (a check named `<script>…`) can become markup; the page's policy forbids
 * inline scripts besides.
 */

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vigil status</title>
<link rel="stylesheet" href="/status-page.css">
<script src="/status-page.js" defer></script>
</head>
<body>
<header>
  <h1>vigil <span id="state" class="badge">…</span></h1>
  <p id="pair"></p>
  <p id="live" class="dim">connecting…</p>
</header>
<main>
  <section><h2>Checks</h2><table id="checks"><thead><tr><th>name</th><th>type</th><th>state</th><th>value / summary</th><th>since</th><th>last run</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Last 24 hours</h2><div id="day" class="day"></div></section>
  <section><h2>Incidents</h2><div id="incidents"></div></section>
</main>
<footer class="dim">read-only: /status.json is what <code>vigil status --json</code> prints; /events streams its changes</footer>
</body>
</html>
`;

export const PAGE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em 2em; color: #1d2330; background: #f7f8fa; }
h1 { font-size: 1.6em; margin: 0 0 .2em; } h2 { font-size: 1.1em; margin: 1.4em 0 .5em; }
.dim { color: #6b7385; } code { font-size: .95em; }
.badge { padding: .1em .6em; border-radius: 1em; font-size: .7em; vertical-align: middle; color: #fff; background: #6b7385; }
.s-healthy, .s-ok, .s-resolved, .s-restarted { background: #2e9d5b; }
.s-degraded, .s-warn, .s-recovering, .s-starting, .s-open { background: #d89b16; }
.s-unresponsive, .s-failed, .s-stopped, .s-critical, .s-aborted { background: #d0413e; }
.s-paused { background: #8b93a7; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #e3e6ec; vertical-align: top; }
td.state span { padding: .05em .5em; border-radius: .8em; color: #fff; font-size: .85em; }
.day { position: relative; height: 28px; background: #fff; border: 1px solid #e3e6ec; }
.day .mark { position: absolute; top: 3px; width: 6px; height: 20px; border-radius: 2px; }
.incident { background: #fff; border: 1px solid #e3e6ec; margin: .4em 0; padding: .4em .7em; }
.incident summary { cursor: pointer; }
.incident summary span.badge { font-size: .8em; }
.bar { display: flex; height: 22px; margin: .7em 0 .3em; border-radius: 3px; overflow: hidden; background: #eef0f4; }
.bar div { min-width: 3px; color: #fff; font-size: 11px; line-height: 22px; padding-left: 3px; overflow: hidden; white-space: nowrap; }
.k-opened { background: #8b93a7; } .k-soft { background: #5b8def; } .k-medium { background: #d89b16; }
.k-hard, .k-stopped { background: #d0413e; } .k-starting, .k-backoff { background: #7a5bd6; } .k-other { background: #aab1c0; }
ol.timeline { margin: .3em 0; padding-left: 1.4em; } ol.timeline li { margin: .1em 0; }
pre { background: #1d2330; color: #e7eaf0; padding: .6em .8em; overflow-x: auto; font-size: 12px; }
`;

export const PAGE_JS = `'use strict';
(() => {
  let status = null;
  let history = [];
  const opened = new Set();

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === 'class') node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  };
  const duration = (ms) => {
    if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
    if (ms < 1000) return Math.round(ms) + ' ms';
    const s = ms / 1000;
    if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
    const m = Math.floor(s / 60);
    return m < 60 ? m + 'm' + String(Math.floor(s % 60)).padStart(2, '0') + 's' : Math.floor(m / 60) + 'h' + String(m % 60).padStart(2, '0') + 'm';
  };
  const time = (ms) => (ms === null || ms === undefined ? '-' : new Date(ms).toLocaleTimeString());
  const ago = (ms, now) => (ms === null || ms === undefined ? 'never' : duration(Math.max(0, now - ms)) + ' ago');
  const badge = (text, cls = text) => el('span', { class: 'badge s-' + cls }, text);

  function renderHeader(now) {
    const state = document.getElementById('state');
    const pair = document.getElementById('pair');
    if (!status || status.reachable === false) {
      state.textContent = 'unreachable';
      state.className = 'badge s-failed';
      pair.textContent = status && status.error ? status.error : 'no status yet';
      return;
    }
    const a = status.agent;
    const w = status.watchdog;
    state.textContent = a.state;
    state.className = 'badge s-' + a.state;
    const r = status.recovery;
    pair.replaceChildren(
      el('b', {}, (a.name || 'agent') + (a.version ? ' v' + a.version : '')),
      ' pid ' + (a.pid === null ? '-' : a.pid) +
        ' · heartbeat ' + ago(a.lastHeartbeatAgoMs === null ? null : now - a.lastHeartbeatAgoMs, now) +
        ' · restarts ' + a.restarts +
        ' · rung ' + r.rung + (r.incidentId ? ' (incident ' + r.incidentId + ')' : '') +
        ' · watchdog pid ' + w.pid + ' ' + w.mode + (w.paused ? ' · paused' : '') +
        ' · written ' + time(status.updatedAt),
    );
  }

  function renderChecks(now) {
    const body = document.querySelector('#checks tbody');
    const checks = status && status.checks ? Object.entries(status.checks) : [];
    if (checks.length === 0) {
      body.replaceChildren(el('tr', {}, el('td', { colspan: '6', class: 'dim' }, 'no checks reported')));
      return;
    }
    body.replaceChildren(
      ...checks.map(([name, c]) => {
        const state = c.paused ? 'paused' : c.status;
        const value = c.value === undefined ? '' : c.value + (c.unit ? ' ' + c.unit : '') + ' — ';
        return el(
          'tr',
          { class: 'check', 'data-state': state },
          el('td', { class: 'name' }, name),
          el('td', {}, c.type),
          el('td', { class: 'state' }, badge(state)),
          el('td', { class: 'summary' }, value + c.summary),
          el('td', {}, ago(c.since, now)),
          el('td', {}, ago(c.lastRunAt, now) + (c.lastRunMs === null ? '' : ' (' + duration(c.lastRunMs) + ')')),
        );
      }),
    );
  }

  /** The incidents of the status (the newest, an open one included) and of the last day, by id. */
  function incidents() {
    const byId = new Map();
    for (const i of history) byId.set(i.id, i);
    for (const i of (status && status.incidents) || []) byId.set(i.id, i);
    return [...byId.values()].sort((a, b) => b.openedAt - a.openedAt);
  }

  const segmentClass = (entry) =>
    entry.kind === 'rung' && entry.rung ? 'k-' + entry.rung : ['opened', 'stopped', 'starting', 'backoff'].includes(entry.kind) ? 'k-' + entry.kind : 'k-other';

  function timelineBar(incident, now) {
    const end = incident.closedAt === null ? now : incident.closedAt;
    const total = Math.max(1, end - incident.openedAt);
    const entries = incident.timeline;
    const bar = el('div', { class: 'bar' });
    entries.forEach((entry, index) => {
      const next = index + 1 < entries.length ? entries[index + 1].at : end;
      const span = Math.max(0, next - entry.at);
      const label = entry.kind + (entry.rung ? ' ' + entry.rung : '');
      const segment = el('div', { class: segmentClass(entry), title: label + ' ' + duration(span) }, label);
      segment.style.flexGrow = String(Math.max(span / total, 0.02));
      bar.append(segment);
    });
    return bar;
  }

  function renderIncident(incident, now) {
    const outcome = incident.outcome === null ? 'open' : incident.outcome;
    const details = el('details', { class: 'incident', 'data-id': incident.id, 'data-outcome': outcome });
    if (opened.has(incident.id)) details.open = true;
    details.addEventListener('toggle', () => (details.open ? opened.add(incident.id) : opened.delete(incident.id)));
    details.append(
      el(
        'summary',
        {},
        badge(outcome),
        ' ' + incident.id + ' · ' + incident.signal + ' · ' + (incident.rungs.join(' → ') || 'no rung') +
          ' · ' + (incident.durationMs === null ? 'open for ' + duration(now - incident.openedAt) : duration(incident.durationMs)) +
          ' · ' + new Date(incident.openedAt).toLocaleString(),
      ),
    );
    if (incident.detail) details.append(el('p', {}, incident.detail));
    details.append(timelineBar(incident, now));
    details.append(
      el(
        'ol',
        { class: 'timeline' },
        ...incident.timeline.map((entry) =>
          el(
            'li',
            {},
            el('code', {}, '+' + duration(entry.at - incident.openedAt)),
            ' ' + entry.kind + (entry.rung ? ' ' + entry.rung : '') + (entry.ok === undefined ? '' : entry.ok ? ' ok' : ' FAILED') +
              (entry.durationMs === undefined ? '' : ' (' + duration(entry.durationMs) + ')') +
              (entry.detail ? ' — ' + entry.detail : '') + (entry.did && entry.did.length ? ' — did: ' + entry.did.join('; ') : ''),
          ),
        ),
      ),
    );
    const evidence = incident.evidence;
    if (evidence && ((evidence.stack && evidence.stack.length) || evidence.reportPath || evidence.note)) {
      const lines = [];
      if (evidence.stack) for (const frame of evidence.stack.slice(0, 8)) lines.push('at ' + frame);
      if (evidence.reportPath) lines.push('report: ' + evidence.reportPath);
      if (evidence.note) lines.push(evidence.note);
      details.append(el('p', { class: 'dim' }, 'evidence (' + (evidence.source || 'watchdog') + ')'), el('pre', { class: 'evidence' }, lines.join('\\n')));
    }
    if (incident.logTail && incident.logTail.length) {
      details.append(el('p', { class: 'dim' }, 'agent log before the fault'), el('pre', { class: 'log-tail' }, incident.logTail.join('\\n')));
    }
    return details;
  }

  function renderIncidents(now) {
    const list = incidents();
    const box = document.getElementById('incidents');
    box.replaceChildren(...(list.length ? list.map((i) => renderIncident(i, now)) : [el('p', { class: 'dim' }, 'no incidents')]));
    const day = document.getElementById('day');
    const from = now - 24 * 3600 * 1000;
    day.replaceChildren(
      ...list
        .filter((i) => i.openedAt >= from)
        .map((i) => {
          const mark = el('div', { class: 'mark s-' + (i.outcome === null ? 'open' : i.outcome), title: i.id + ' ' + i.signal });
          mark.style.left = ((100 * (i.openedAt - from)) / (24 * 3600 * 1000)).toFixed(2) + '%';
          return mark;
        }),
    );
  }

  function render() {
    const now = status && status.updatedAt ? Math.max(Date.now(), status.updatedAt) : Date.now();
    renderHeader(now);
    renderChecks(now);
    renderIncidents(now);
  }

  async function refreshHistory() {
    try {
      history = await (await fetch('/history.json')).json();
    } catch {
      history = [];
    }
  }

  async function start() {
    try {
      status = await (await fetch('/status.json')).json();
    } catch {
      status = null;
    }
    await refreshHistory();
    render();
    const live = document.getElementById('live');
    const events = new EventSource('/events');
    events.addEventListener('open', () => (live.textContent = 'live'));
    events.addEventListener('error', () => (live.textContent = 'reconnecting…'));
    events.addEventListener('status', async (event) => {
      status = JSON.parse(event.data);
      await refreshHistory();
      render();
    });
  }
  document.addEventListener('DOMContentLoaded', () => void start());
})();
`;
