/**
 * Deciding whether a restarted watchdog may adopt the agent named in `run/agent.pid`. The file is
 * only a claim; /proc must prove it: a process with that pid is alive, started at the recorded
 * time (so a reused pid is never adopted), runs exactly the recorded command line, runs as the
 * watchdog's uid, and carries the recorded instance token in its environment, which only the
 * start that wrote the file gave it. A stranger with the same command line and start time has
 * no token. /proc alone answers: no fork of `ps`.
 */
import { instanceEntry } from './descendants.js';
import type { AgentPidRecord } from './pid-file.js';
import { hasEnvironEntry, readCmdline, readProcStat, readUid } from './proc-stat.js';

export type AdoptionVerdict = { adopt: true; record: AgentPidRecord } | { adopt: false; reason: string };

function sameCommand(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((arg, i) => arg === b[i]);
}

export async function judgeAdoption(record: AgentPidRecord | null): Promise<AdoptionVerdict> {
  if (!record) return { adopt: false, reason: 'no valid agent pid file' };
  const { pid } = record;
  if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) {
    return { adopt: false, reason: `pid ${pid} can never be the agent` };
  }
  const stat = readProcStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') {
    return { adopt: false, reason: `agent pid ${pid} is not running` };
  }
  if (stat.startTicks !== record.startTicks) {
    return {
      adopt: false,
      reason: `pid ${pid} was reused by another process (started at tick ${stat.startTicks}, agent started at ${record.startTicks})`,
    };
  }
  const cmdline = readCmdline(pid);
  if (!cmdline || !sameCommand(cmdline, record.cmdline)) {
    return {
      adopt: false,
      reason: `pid ${pid} does not run the recorded agent command (${record.cmdline.join(' ')})`,
    };
  }
  const uid = readUid(pid);
  if (uid !== (process.geteuid?.() ?? uid)) {
    return { adopt: false, reason: `pid ${pid} runs as uid ${uid}, not as the watchdog's` };
  }
  if (!hasEnvironEntry(pid, instanceEntry(record.instance))) {
    return { adopt: false, reason: `pid ${pid} does not carry the recorded instance token` };
  }
  return { adopt: true, record };
}
