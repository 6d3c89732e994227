/**
 * Deciding whether a restarted watchdog may adopt the agent named in `run/agent.pid`: only
 * when a process with that pid is alive, started at the recorded time (so a reused pid is never
 * adopted) and runs the recorded command line (checked through ps-list).
 */
import type { AgentPidRecord } from './pid-file.js';
import { readCmdline, readProcStat } from './proc-stat.js';

export type AdoptionVerdict = { adopt: true; record: AgentPidRecord } | { adopt: false; reason: string };

export async function judgeAdoption(record: AgentPidRecord | null): Promise<AdoptionVerdict> {
  if (!record) return { adopt: false, reason: 'no agent pid file' };
  const stat = readProcStat(record.pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') {
    return { adopt: false, reason: `agent pid ${record.pid} is not running` };
  }
  if (stat.startTicks !== record.startTicks) {
    return {
      adopt: false,
      reason: `pid ${record.pid} was reused by another process (started at tick ${stat.startTicks}, agent started at ${record.startTicks})`,
    };
  }
  const listed = (await (await import('ps-list')).default({ all: true })).find((p) => p.pid === record.pid);
  const cmdline = readCmdline(record.pid);
  const expected = record.cmdline.join(' ');
  if (
    !listed ||
    !cmdline ||
    cmdline.join(' ') !== expected ||
    !(listed.cmd ?? '').startsWith(record.cmdline[0] ?? '')
  ) {
    return {
      adopt: false,
      reason: `pid ${record.pid} does not run the recorded agent command (${expected})`,
    };
  }
  return { adopt: true, record };
}
