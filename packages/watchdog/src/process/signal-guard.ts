/**
 * The one place the watchdog sends a signal. Every signal names the process it is meant for
 * (pid + start time), and is refused unless /proc shows, right before kill(2), that this is
 * still that process, that it is not the watchdog or its own group, and that it runs as the
 * watchdog's uid (a root watchdog may also signal another uid that carries the agent's token).
 * A group signal goes only to a group its target leads (pgrp == pid): the group the launcher
 * created for the agent, never a group id taken from a file. Refusals are returned, never thrown.
 */
import { hasEnvironEntry, readProcStat, readUid } from './proc-stat.js';

export interface SignalTarget {
  pid: number;
  /** Start time (clock ticks after boot) of the process meant: a reused pid shows another. */
  startTicks: number;
  /** Signal the process group the target leads (pgrp must equal pid), not the process alone. */
  group?: boolean;
  /** An exact `KEY=value` environment entry that lets a root watchdog signal another uid. */
  proof?: string | undefined;
}

export type SignalVerdict =
  | { outcome: 'sent' }
  /** Nothing left to signal: the process exited (or is a zombie). */
  | { outcome: 'gone'; reason: string }
  | { outcome: 'refused'; reason: string };

function euid(): number {
  return process.geteuid?.() ?? -1;
}

function refused(reason: string): SignalVerdict {
  return { outcome: 'refused', reason };
}

/** Why `target` may not be signalled now, or null when it may. */
function check(target: SignalTarget): SignalVerdict | null {
  const { pid } = target;
  const what = target.group ? `process group ${pid}` : `pid ${pid}`;
  if (!Number.isSafeInteger(pid) || pid <= 1) return refused(`${what}: pid ${pid} is never signalled`);
  if (pid === process.pid) return refused(`${what} is the watchdog itself`);
  const own = readProcStat(process.pid);
  if (own && pid === own.pgrp) return refused(`${what} leads the watchdog's own process group`);
  const stat = readProcStat(pid);
  if (!stat) return { outcome: 'gone', reason: `${what} has exited` };
  if (stat.startTicks !== target.startTicks) {
    return refused(
      `pid ${pid} is another process now (started at tick ${stat.startTicks}, expected ${target.startTicks})`,
    );
  }
  // A zombie leader still holds its group, whose members may live on; a zombie alone is done.
  if (stat.state === 'X' || (stat.state === 'Z' && !target.group)) {
    return { outcome: 'gone', reason: `${what} has exited` };
  }
  if (target.group && stat.pgrp !== pid) {
    return refused(`pid ${pid} does not lead its own process group (it is in group ${stat.pgrp})`);
  }
  const uid = readUid(pid);
  if (uid === null) return { outcome: 'gone', reason: `${what} has exited` };
  if (uid !== euid()) {
    const proven = euid() === 0 && target.proof !== undefined && hasEnvironEntry(pid, target.proof);
    if (!proven) return refused(`pid ${pid} runs as uid ${uid}, not as uid ${euid()} that runs vigil`);
  }
  return null;
}

/** Sends `signal` to `target` after the checks above (0 only probes); says what happened. */
export function guardedSignal(target: SignalTarget, signal: NodeJS.Signals | 0): SignalVerdict {
  const problem = check(target);
  if (problem) return problem;
  try {
    process.kill(target.group ? -target.pid : target.pid, signal);
    return { outcome: 'sent' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return { outcome: 'gone', reason: `pid ${target.pid} has exited` };
    return refused(`kill(${target.group ? -target.pid : target.pid}, ${signal}) failed: ${code ?? error}`);
  }
}
