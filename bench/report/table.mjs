/**
 * The markdown report on stdout: rows are figures, columns are peers, cells are
 * `median (min–max)` and, for times, the median as a multiple of the bare floor's.
 */
const ROWS = [
  { scenario: 'kill9', field: 'ms', label: '(a) kill -9 → started, ms', ratio: true },
  { scenario: 'hang', field: 'ms', label: '(b) blocked event loop → started, ms', ratio: true },
  { scenario: 'sigstop', field: 'ms', label: '(c) SIGSTOP → started, ms', ratio: true },
  { scenario: 'leak', field: 'peakMiB', label: '(d) leak: peak RSS, MiB', digits: 1 },
  {
    scenario: 'leak',
    field: 'overshootPct',
    label: '(d) leak: overshoot over 150 MiB, %',
    digits: 1,
    sign: true,
  },
  {
    scenario: 'leak',
    field: 'crossToStartedMs',
    label: '(d) leak: 150 MiB crossed → started, ms',
    ratio: true,
  },
  { scenario: 'idle', field: 'rssMB', label: '(e) idle RSS (VmRSS) of the supervisor, MB', digits: 1 },
  { scenario: 'idle', field: 'rssAnonMB', label: '(e) … of which private (RssAnon), MB', digits: 1 },
  { scenario: 'idle', field: 'cpuPct', label: '(e) idle CPU of the supervisor, % of a core', digits: 3 },
  { scenario: 'idle', field: 'childrenCpuPct', label: '(e) idle CPU of its reaped children, %', digits: 3 },
  { scenario: 'crashLoop', field: 'startsIn10s', label: '(f) crash loop: starts in the first 10 s' },
  { scenario: 'crashLoop', field: 'startsInWindow', label: '(f) crash loop: starts in the window' },
  { scenario: 'crashLoop', field: 'states', label: '(f) crash loop: state after the window' },
  // vigilField: what vigil's column shows where it differs; vs: the other columns add vigil's median ÷ theirs.
  ...schedRows('schedIdle', '(g) idle', false),
  {
    scenario: 'schedIdle',
    vigilField: 'agent.totalCpuPct',
    label: '(g) idle CPU, vigil-agent alone, %',
    digits: 3,
  },
  {
    scenario: 'schedIdle',
    vigilField: 'agent.wakeupsPerSec',
    label: '(g) idle wakeups/s, vigil-agent alone',
    digits: 1,
  },
  {
    scenario: 'schedIdle',
    vigilField: 'agent.rssMB',
    label: '(g) idle VmRSS, vigil-agent alone, MB',
    digits: 1,
  },
  ...schedRows('schedLimits', '(h) limits on', true),
  {
    scenario: 'startup',
    field: 'startedMs',
    label: '(i) start command → app `started`, ms',
    vs: true,
  },
  { scenario: 'startup', vigilField: 'healthyMs', label: '(i) `vigil run` → agent (the app) healthy, ms' },
  { scenario: 'startup', vigilField: 'bundledHealthyMs', label: '(i) `vigil run` → vigil-agent healthy, ms' },
  {
    scenario: 'statusLatency',
    field: 'statusMedianMs',
    label: '(j) status command, median ms',
    digits: 1,
    vs: true,
  },
  {
    scenario: 'statusLatency',
    field: 'statusP95Ms',
    label: '(j) status command, p95 ms',
    digits: 1,
    vs: true,
  },
  {
    scenario: 'statusLatency',
    vigilField: 'humanMedianMs',
    label: '(j) `vigil status` (the human view), median ms',
    digits: 1,
  },
  {
    scenario: 'statusLatency',
    vigilField: 'versionMedianMs',
    label: '(j) floor: `vigil --version`, median ms',
    digits: 1,
  },
  {
    scenario: 'statusLatency',
    vigilField: 'nodeFloorMedianMs',
    label: '(j) floor: `node -e 0`, median ms',
    digits: 1,
  },
  ...[
    ['watchdogBare', 'node with the daemon’s flags'],
    ['watchdogPino', '… + pino alone'],
    ['watchdogShared', '… + all of @vigil/shared'],
    ['watchdogModules', '… + the watchdog’s modules'],
    ['agentBare', 'node with the agent’s flags'],
    ['agentWorker', '… + an idle Worker (the stall sentinel)'],
    ['agentModules', '… + the agent’s modules'],
  ].map(([field, what]) => ({
    scenario: 'memFloor',
    vigilField: `${field}RssMB`,
    label: `(k) floor: ${what}, VmRSS MB`,
    digits: 1,
  })),
  ...[
    ['watchdogLook', 'the daemon’s flags, a timer every 750 ms (its looks)'],
    ['watchdogDrain', '… a timer every 800 ms reading, parsing and validating the queued beats'],
    ['watchdogTick', 'the daemon’s flags, a timer every 250 ms (its samples)'],
    ['watchdogSample', '… + one pread of a held /proc/PID/stat a tick'],
    ['agentBeat', 'the agent’s flags, a heartbeat line every 250 ms'],
    ['agentSentinel', '… + a Worker looking every 375 ms (the sentinel)'],
  ].map(([field, what]) => ({
    scenario: 'cpuFloor',
    vigilField: `${field}.cpuPct`,
    label: `(l) floor: ${what}, CPU %`,
    digits: 3,
  })),
];

/** Rows of a schedstat scenario: vigil's watchdog and its pair against each supervisor process. */
function schedRows(scenario, prefix, limits) {
  const cpu = limits ? 'CPU incl. reaped children' : 'CPU (schedstat)';
  const rows = [
    [`${prefix}: ${cpu}, % of a core — vigil: watchdog`, 'totalCpuPct', 'watchdog', 3],
    [`${prefix}: ${cpu}, % — vigil: pair`, 'totalCpuPct', 'pair', 3],
    [`${prefix}: wakeups/s — vigil: watchdog`, 'wakeupsPerSec', 'watchdog', 1],
    [`${prefix}: wakeups/s — vigil: pair`, 'wakeupsPerSec', 'pair', 1],
    [`${prefix}: VmRSS, MB — vigil: watchdog`, 'rssMB', 'watchdog', 1],
    [`${prefix}: RssAnon, MB — vigil: watchdog`, 'rssAnonMB', 'watchdog', 1],
    [`${prefix}: VmRSS, MB — vigil: pair`, 'rssMB', 'pair', 1],
  ];
  return rows.map(([label, f, part, digits]) => ({
    scenario,
    field: `supervisor.${f}`,
    vigilField: `${part}.${f}`,
    label,
    digits,
    vs: true,
  }));
}

const num = (n, digits = 0, sign = false) => `${sign && n >= 0 ? '+' : ''}${n.toFixed(digits)}`;

function cell(row, summary, floorMedian, capSeconds, vigilSummary, isVigil) {
  if (!summary) return '–';
  if (row.vigilField || row.vs) {
    const field = isVigil && row.vigilField ? row.vigilField : row.field;
    if (!field) return '–';
    const vigilField = row.vigilField ?? row.field;
    const text = cell({ ...row, field, vigilField: undefined, vs: false }, summary, floorMedian, capSeconds);
    const mine = summary[field]?.median;
    const theirs = vigilSummary?.[vigilField]?.median;
    if (!row.vs || isVigil || !mine || theirs === undefined) return text;
    return `${text} (vigil ×${(theirs / mine).toFixed(2)})`;
  }
  if (summary.unsupported) return `never (${summary.unsupported})`;
  if (row.field === 'states') {
    const states = Object.entries(summary.states ?? {});
    return states.length
      ? states.map(([s, n]) => (states.length > 1 ? `${s} ×${n}` : s)).join('; ')
      : failedOnly(summary);
  }
  const s = summary[row.field];
  const extra = [];
  if (summary.never) extra.push(summary.ok ? `never in ${summary.never}/${summary.trials}` : '');
  if (summary.failed) extra.push(`${summary.failed} failed`);
  const tail = extra.filter(Boolean).length ? ` [${extra.filter(Boolean).join(', ')}]` : '';
  if (!s) {
    if (summary.never && !summary.ok) {
      const peak =
        row.field === 'peakMiB' && summary.peakMiBWhenNever
          ? `, peak ${num(summary.peakMiBWhenNever.max, 0)} MiB at the cap`
          : '';
      return `never (cap ${capSeconds} s${peak})${summary.failed ? ` [${summary.failed} failed]` : ''}`;
    }
    return failedOnly(summary);
  }
  const d = row.digits ?? 0;
  let text = `${num(s.median, d, row.sign)} (${num(s.min, d, row.sign)}–${num(s.max, d, row.sign)})`;
  if (row.ratio && floorMedian) text += ` ×${(s.median / floorMedian).toFixed(1)}`;
  return text + tail;
}

function failedOnly(summary) {
  return summary.failed ? `failed ×${summary.failed}: ${summary.failures[0]}` : '–';
}

export function renderTable(results) {
  const peers = Object.keys(results.peers);
  const floor = results.floor.summary;
  const m = results.machine;
  const f = results.flags;
  const lines = [];
  lines.push(`## vigil vs PM2, supervisord, monit — ${results.startedAt}`);
  lines.push('');
  lines.push(
    `${m.hostname}: ${m.cpuModel}, ${m.cores} cores, ${(m.ramBytes / 2 ** 30).toFixed(1)} GiB, Linux ${m.kernel}, Node ${m.node}; load ${m.loadavgAtStart.map((x) => x.toFixed(2)).join(' ')} at start, ${m.loadavgAtEnd?.map((x) => x.toFixed(2)).join(' ') ?? '?'} at end`,
  );
  lines.push(`peers: ${peers.map((p) => `${p} ${results.peers[p].version}`).join(', ')}`);
  lines.push(
    `trials: ${f.trials} per figure (floor ${f.floorTrials}), cap ${f.capSeconds} s (leak ${f.leakCapSeconds} s), idle ${f.idleSeconds} s after ${f.idleSettleSeconds} s, crash window ${f.crashSeconds} s${f.quick ? ' — QUICK RUN, not for publishing' : ''}`,
  );
  lines.push('');
  lines.push(
    floor
      ? `**Bare floor** (\`node app.mjs\` spawn → started): ${num(floor.median)} ms (${num(floor.min)}–${num(floor.max)}), n=${floor.n}. Times below: median (min–max) and ×median/floor.`
      : '**Bare floor**: not measured',
  );
  lines.push('');
  lines.push(`| figure | ${peers.join(' | ')} |`);
  lines.push(`| --- | ${peers.map(() => '---').join(' | ')} |`);
  for (const row of ROWS) {
    const scenario = results.scenarios[row.scenario];
    if (!scenario) continue;
    const capSeconds = row.scenario === 'leak' ? f.leakCapSeconds : f.capSeconds;
    const vigilSummary = scenario.peers.vigil?.summary;
    const cells = peers.map((p) =>
      cell(row, scenario.peers[p]?.summary, floor?.median, capSeconds, vigilSummary, p === 'vigil'),
    );
    lines.push(`| ${row.label} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push(
    "`(vigil ×r)`: vigil's median ÷ this peer's, same run. `never`: not restarted within the cap; `[never in k/n]`: some trials did, k did not; `[k failed]`: trials that could not be run to the end (reasons in the JSON).",
  );
  if (results.targets?.length) {
    lines.push('');
    lines.push('### vigil against its targets');
    lines.push('');
    for (const t of results.targets)
      lines.push(`- ${t.met ? 'met' : '**MISSED**'}: ${t.target} — ${t.figure}`);
  }
  if (results.configNotes?.length) {
    lines.push('');
    lines.push('### Configs (full text of each in the JSON)');
    lines.push('');
    for (const note of results.configNotes) lines.push(`- ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
