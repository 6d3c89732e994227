/**
 * vigil's targets, judged on the medians of this run (the max is shown beside each, so a
 * target met on the median but not on every trial is visible). They are reported, never asserted.
 */
const fmt = (n, d = 0) => (n === undefined || n === null ? '–' : n.toFixed(d));

export function judgeTargets(results) {
  const s = (scenario, peer = 'vigil') => results.scenarios[scenario]?.peers[peer]?.summary;
  const floor = results.floor.summary?.median;
  const out = [];
  const add = (target, met, figure) => out.push({ target, met, figure });

  const k = s('kill9');
  if (k?.ms && floor) {
    add(
      'kill -9 → started under 1.5× the floor',
      k.ms.median < 1.5 * floor,
      `median ${fmt(k.ms.median)} ms = ×${fmt(k.ms.median / floor, 2)} of the floor (${fmt(floor)} ms); max ${fmt(k.ms.max)} ms`,
    );
  }
  const p = s('kill9', 'pm2');
  if (k?.ms && p?.ms) {
    add(
      'kill -9 → started faster than PM2',
      k.ms.median < p.ms.median,
      `vigil median ${fmt(k.ms.median)} ms vs PM2 ${fmt(p.ms.median)} ms`,
    );
  }
  for (const [id, what] of [
    ['hang', 'blocked event loop'],
    ['sigstop', 'SIGSTOP'],
  ]) {
    const x = s(id);
    if (!x) continue;
    if (!x.ms) {
      add(
        `${what} → started ≤ 2.5 s`,
        false,
        `no recovery in any trial (${x.never} never, ${x.failed} failed)`,
      );
      continue;
    }
    add(
      `${what} → started ≤ 2.5 s`,
      x.ms.median <= 2500 && x.never === 0,
      `median ${fmt(x.ms.median)} ms, max ${fmt(x.ms.max)} ms${x.never ? `, never in ${x.never} trials` : ''}`,
    );
  }
  const l = s('leak');
  if (l?.peakMiB) {
    add(
      'leak peak within 10 % of 150 MiB',
      l.peakMiB.median <= 165,
      `peak median ${fmt(l.peakMiB.median, 1)} MiB (+${fmt(l.overshootPct.median, 1)} %), max ${fmt(l.peakMiB.max, 1)} MiB`,
    );
  }
  const i = s('idle');
  if (i?.rssMB) {
    add(
      'watchdog idle RSS ≤ 45 MB',
      i.rssMB.median <= 45,
      `VmRSS median ${fmt(i.rssMB.median, 1)} MB (highest sample ${fmt(i.rssMaxMB?.max, 1)} MB), of which private ${fmt(i.rssAnonMB?.median, 1)} MB`,
    );
    add(
      'watchdog idle CPU ≤ 0.1 %',
      i.cpuPct.median <= 0.1,
      `median ${fmt(i.cpuPct.median, 3)} %, max ${fmt(i.cpuPct.max, 3)} % (reaped children: median ${fmt(i.childrenCpuPct.median, 3)} %)`,
    );
  }
  const median = (summary, field) => summary?.[field]?.median;
  const upTo = (target, summary, field, limit, unit, d) => {
    const m = median(summary, field);
    if (m === undefined) return;
    add(target, m <= limit, `median ${fmt(m, d)} ${unit}, max ${fmt(summary[field].max, d)} ${unit}`);
  };
  const g = s('schedIdle');
  upTo('watchdog idle CPU ≤ 0.05 % (schedstat)', g, 'watchdog.totalCpuPct', 0.05, '%', 3);
  upTo('watchdog idle VmRSS ≤ 45 MB', g, 'watchdog.rssMB', 45, 'MB', 1);
  upTo('watchdog idle RssAnon ≤ 9 MB', g, 'watchdog.rssAnonMB', 9, 'MB', 1);
  upTo('bundled agent idle CPU ≤ 0.3 %', g, 'agent.totalCpuPct', 0.3, '%', 3);
  upTo('bundled agent idle VmRSS ≤ 60 MB', g, 'agent.rssMB', 60, 'MB', 1);
  upTo('pair idle CPU ≤ 0.4 %', g, 'pair.totalCpuPct', 0.4, '%', 3);
  upTo('pair idle VmRSS ≤ 100 MB', g, 'pair.rssMB', 100, 'MB', 1);
  upTo(
    'watchdog with memory+CPU limits ≤ 0.2 %, children included',
    s('schedLimits'),
    'watchdog.totalCpuPct',
    0.2,
    '%',
    3,
  );
  upTo('`vigil run` → vigil-agent healthy ≤ 0.8 s', s('startup'), 'bundledHealthyMs', 800, 'ms', 0);
  upTo('`vigil status --json` ≤ 80 ms', s('statusLatency'), 'statusMedianMs', 80, 'ms', 1);
  const c = s('crashLoop');
  if (c?.startsIn10s) {
    add(
      'crash loop ≤ 6 starts in the first 10 s',
      c.startsIn10s.max <= 6,
      `median ${fmt(c.startsIn10s.median)}, max ${fmt(c.startsIn10s.max)}`,
    );
  }
  return out;
}
