/**
 * Reading /proc: a process's state, CPU ticks, RSS, parent, children and environment. Every
 * reader returns null for a process that is gone (or went while it was being read).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for utime/stime (USER_HZ); 100 on every Linux that Node runs on. */
export const CLK_TCK = 100;

/** The text of /proc/<pid>/<name>, or null when the process is gone. */
function readProcFile(pid, name, encoding = 'utf8') {
  try {
    return readFileSync(`/proc/${pid}/${name}`, encoding);
  } catch {
    return null;
  }
}

/** Fields of /proc/<pid>/stat (man 5 proc), parsed past the parenthesised command name. */
export function readStat(pid) {
  const text = readProcFile(pid, 'stat');
  if (text === null) return null;
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

/** VmRSS split into RssAnon (private to the process) and RssFile (mostly the shared binary), bytes. */
export function readMemory(pid) {
  const text = readProcFile(pid, 'status');
  if (text === null) return null;
  const kib = (name) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
  const rss = kib('VmRSS');
  return Number.isNaN(rss) ? null : { rss, anon: kib('RssAnon'), file: kib('RssFile') };
}

/** VmRSS in bytes; null when gone or a zombie (no VmRSS line). */
export function readRssBytes(pid) {
  return readMemory(pid)?.rss ?? null;
}

/** A stat that is there and not a zombie: what "the process is still there" means to a supervisor. */
function living(stat) {
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

export function isAlive(pid) {
  return living(readStat(pid));
}

export function isSameProcess(pid, startTicks) {
  const stat = readStat(pid);
  return living(stat) && stat.startTicks === startTicks;
}

export function childrenOf(pid) {
  const text = readProcFile(pid, `task/${pid}/children`);
  return text === null ? [] : text.trim().split(/\s+/).filter(Boolean).map(Number);
}

export function cmdlineOf(pid) {
  return readProcFile(pid, 'cmdline')?.split('\0').filter(Boolean) ?? [];
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
    const environ = readProcFile(pid, 'environ', 'latin1');
    if (environ === null) continue;
    const tagged = environ.split('\0').some((v) => v === exact || v.startsWith(nested));
    if (tagged && isAlive(pid)) found.push(pid);
  }
  return found;
}
