/**
 * Reading /proc: a process's state, CPU ticks, RSS, parent, children and environment. Every
 * reader returns null for a process that is gone (or went while it was being read).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for utime/stime (USER_HZ); 100 on every Linux that Node runs on. */
export const CLK_TCK = 100;

/** Fields of /proc/<pid>/stat (man 5 proc), parsed past the parenthesised command name. */
export function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state); field n is f[n - 3].
  return {
    comm: text.slice(text.indexOf('(') + 1, close),
    state: f[0],
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    utime: Number(f[11]),
    stime: Number(f[12]),
    cutime: Number(f[13]),
    cstime: Number(f[14]),
    startTicks: Number(f[19]),
  };
}

/** VmRSS in bytes, from /proc/<pid>/status; null when gone or a zombie (no VmRSS line). */
export function readRssBytes(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(text);
  return match ? Number(match[1]) * 1024 : null;
}

/** VmRSS split into RssAnon (private to the process) and RssFile (mostly the shared binary), bytes. */
export function readMemory(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kib = (name) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
  const rss = kib('VmRSS');
  return Number.isNaN(rss) ? null : { rss, anon: kib('RssAnon'), file: kib('RssFile') };
}

/** Alive and not a zombie: what "the process is still there" means to a supervisor. */
export function isAlive(pid) {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

export function isSameProcess(pid, startTicks) {
  const stat = readStat(pid);
  return stat !== null && stat.startTicks === startTicks && stat.state !== 'Z' && stat.state !== 'X';
}

export function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export function cmdlineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

export function allPids() {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/**
 * Processes whose environment holds `NAME=value` or `NAME=value.<more>` (how every process of a
 * run, and of each trial within it, is tagged).
 */
export function pidsWithEnv(name, value) {
  const exact = `${name}=${value}`;
  const nested = `${exact}.`;
  const found = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    let environ;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    const tagged = environ.split('\0').some((v) => v === exact || v.startsWith(nested));
    if (tagged && isAlive(pid)) found.push(pid);
  }
  return found;
}
