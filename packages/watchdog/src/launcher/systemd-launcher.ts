/**
 * systemd mode: the agent is its own unit (vigil-agent.service) and the watchdog drives it with
 * systemctl through execa. The agent's pid is the unit's MainPID (not our child); systemd kills
 * the whole cgroup on stop (KillMode=control-group), so nothing escapes a hard stop. The unit
 * has no Restart= of its own: every restart is the watchdog's, and a start is `systemctl
 * restart`, which is never held back by a holdoff.
 *
 * The agent's exit is seen without waking the idle watchdog ten times a second: the unit's
 * cgroup.events (cgroup v2, see cgroup-events.ts) is watched with inotify, and every change of
 * it, plus a backstop timer (`backstopMs`, 1 s), looks at the pid in /proc. A crash of the whole
 * unit empties the cgroup, which is seen at once. The backstop is for what the cgroup does not
 * tell: the main process dying while another process of the unit lives on until systemd has
 * stopped it (up to TimeoutStopSec=; Node offers no pidfd to wait on the main process itself).
 * Where the file cannot be watched (cgroup v1 only, no access, an inotify error) the launcher
 * says so once and looks every `pollMs` (100 ms), as it always did: an operator expects a crash
 * in systemd mode to be seen promptly, and a host without the event pays in wakeups, not in
 * reaction time. A look that finds a zombie (systemd has not reaped it yet) is followed by looks
 * every `pollMs` until it is reaped or a second has passed. The watch ends (its inotify watch
 * removed) whenever the watched agent changes, is gone, is stopped, or the launcher closes.
 * The watchdog unit's ProtectControlGroups=yes leaves /sys/fs/cgroup read-only, which is all
 * reading and watching the file needs.
 *
 * When the main process goes away while the watchdog is neither starting nor stopping the unit,
 * the unit tells what happened: a new invocation with a new MainPID means someone else (an
 * operator's `systemctl restart`) restarted it, and the new process is adopted ("replaced");
 * otherwise the agent exited.
 */
import { EventEmitter } from 'node:events';
import { type FSWatcher, watch } from 'node:fs';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchdogErrors } from '../errors.js';
import { findCgroupEvents, ownCgroupPath } from '../process/cgroup-events.js';
import type { KillTreeOutcome } from '../process/kill-tree.js';
import type { AgentPidRecord } from '../process/pid-file.js';
import { isSameProcessAlive, readCmdline, readProcStat } from '../process/proc-stat.js';
import { guardedSignal, type SignalVerdict } from '../process/signal-guard.js';
import type { AgentExit, AgentLauncher, LaunchedAgent, LauncherNotice, StopOptions } from './launcher.js';

export interface SystemdLauncherOptions {
  unit: string;
  systemctl?: string;
  /** How long a job someone else queued on the unit (a restart) may take before it counts as an exit. */
  settleTimeoutMs?: number;
  /** Looks at the agent's pid without a cgroup watch, and while it is a zombie (ms, default 100). */
  pollMs?: number;
  /** Looks at the agent's pid between cgroup events (ms, default 1000). */
  backstopMs?: number;
  /** Where cgroup2 may be mounted (default /sys/fs/cgroup, then /sys/fs/cgroup/unified). */
  cgroupMounts?: readonly string[];
}

type UnitProperties = Record<string, string>;

/** `15` → `SIGTERM`, as the embedded launcher reports it. */
function signalName(signo: number): string {
  return Object.entries(constants.signals).find(([, n]) => n === signo)?.[0] ?? `signal ${signo}`;
}

/** ExecMainCode: 1 exited (status is the exit code), 2 killed, 3 dumped (status is the signal). */
function exitOf(pid: number, props: UnitProperties): AgentExit {
  const killed = props.ExecMainCode === '2' || props.ExecMainCode === '3';
  const status = Number(props.ExecMainStatus);
  return {
    pid,
    code: killed || Number.isNaN(status) ? null : status,
    signal: killed ? signalName(status) : null,
  };
}

/** `systemctl show -p Job` prints the id of a queued or running job, or nothing. */
function hasJob(props: UnitProperties): boolean {
  return /^[1-9]\d*$/.test(props.Job ?? '');
}

export class SystemdLauncher implements AgentLauncher {
  readonly kind = 'systemd' as const;
  readonly #o: SystemdLauncherOptions;
  readonly #events = new EventEmitter<{
    exit: [AgentExit, LaunchedAgent];
    replaced: [LaunchedAgent, LaunchedAgent | null];
    notice: [LauncherNotice];
  }>();
  #agent: LaunchedAgent | null = null;
  /** Ends the looking for the watched agent's exit (its timer and cgroup watch). */
  #unwatch: (() => void) | undefined;
  /** The fallback to polling has been warned about. */
  #toldFallback = false;
  /** Starts and stops of our own in flight: what the unit does meanwhile is ours. */
  #busy = 0;
  #rechecking = false;
  #closed = false;

  constructor(options: SystemdLauncherOptions) {
    this.#o = options;
  }

  async #systemctl(...args: string[]) {
    // Loaded on first use: an embedded watchdog, which never calls systemctl, never carries execa.
    const { execa } = await import('execa');
    return execa(this.#o.systemctl ?? 'systemctl', args, { reject: false, timeout: 30_000 });
  }

  async #show(...properties: string[]): Promise<UnitProperties> {
    const result = await this.#systemctl('show', this.#o.unit, ...properties.map((p) => `--property=${p}`));
    const out: UnitProperties = {};
    for (const line of String(result.stdout).split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
    }
    return out;
  }

  current(): LaunchedAgent | null {
    return this.#agent;
  }

  onExit(listener: (exit: AgentExit, agent: LaunchedAgent) => void): void {
    this.#events.on('exit', listener);
  }

  onNotice(listener: (notice: LauncherNotice) => void): void {
    this.#events.on('notice', listener);
  }

  /** The unit's main process changed without us: `agent` is the new one, already watched. */
  onReplaced(listener: (agent: LaunchedAgent, previous: LaunchedAgent | null) => void): void {
    this.#events.on('replaced', listener);
  }

  async start(): Promise<LaunchedAgent> {
    this.#busy++;
    try {
      // restart, not start: it also cuts a pending auto-restart holdoff (a Restart= added by a drop-in).
      const result = await this.#systemctl('restart', this.#o.unit);
      if (result.failed) {
        throw watchdogErrors.create(
          'VIGIL_AGENT_START_FAILED',
          `systemctl restart ${this.#o.unit} failed: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`,
          { hint: `See \`journalctl -u ${this.#o.unit}\`.` },
        );
      }
      // Type=exec: the job ends once node runs, so no MainPID now means it has exited already.
      const props = await this.#show('MainPID', 'InvocationID', 'ExecMainCode', 'ExecMainStatus');
      const pid = Number(props.MainPID);
      if (pid > 0) return this.#watch(pid, props.InvocationID ?? '', false);
      const exit = exitOf(0, props);
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`;
      throw watchdogErrors.create('VIGIL_AGENT_START_FAILED', `${this.#o.unit} started but ${how} at once`, {
        hint: `See \`journalctl -u ${this.#o.unit}\`.`,
      });
    } finally {
      this.#busy--;
    }
  }

  async adoptRunning(
    _record: AgentPidRecord | null,
  ): Promise<{ agent: LaunchedAgent | null; reason: string }> {
    const props = await this.#show('ActiveState', 'MainPID', 'InvocationID');
    const pid = Number(props.MainPID);
    if (props.ActiveState !== 'active' || !(pid > 0)) {
      return { agent: null, reason: `${this.#o.unit} is ${props.ActiveState ?? 'unknown'}` };
    }
    return {
      agent: this.#watch(pid, props.InvocationID ?? '', true),
      reason: `${this.#o.unit} is active (MainPID ${pid})`,
    };
  }

  /**
   * A hello came from `pid`, which is not the agent we know: if the unit's MainPID is `pid` now
   * (started by someone else), it is the agent, and is adopted as a replacement. Resolves the
   * adopted agent, or null.
   */
  async recheck(pid: number): Promise<LaunchedAgent | null> {
    if (this.#busy || this.#rechecking || this.#closed || this.#agent?.pid === pid) return null;
    this.#rechecking = true;
    try {
      const previous = this.#agent;
      const props = await this.#show('ActiveState', 'MainPID', 'InvocationID');
      if (this.#busy || this.#closed || this.#agent !== previous) return null;
      if (props.ActiveState !== 'active' || Number(props.MainPID) !== pid) return null;
      if (previous && isSameProcessAlive(previous.pid, previous.startTicks)) return null;
      const agent = this.#watch(pid, props.InvocationID ?? '', true);
      this.#events.emit('replaced', agent, previous);
      return agent;
    } finally {
      this.#rechecking = false;
    }
  }

  #watch(pid: number, invocation: string, adopted: boolean): LaunchedAgent {
    const agent: LaunchedAgent = {
      pid,
      startTicks: readProcStat(pid)?.startTicks ?? 0,
      startedAt: Date.now(),
      cmdline: readCmdline(pid) ?? [],
      instance: invocation,
      adopted,
    };
    this.#agent = agent;
    this.#unwatch?.();
    const pollMs = this.#o.pollMs ?? 100;
    const backstopMs = this.#o.backstopMs ?? 1000;
    let timer: NodeJS.Timeout | undefined;
    let events: FSWatcher | undefined;
    let zombieSince: number | undefined;
    let done = false;
    const unwatch = () => {
      done = true;
      clearTimeout(timer);
      events?.close();
      events = undefined;
      if (this.#unwatch === unwatch) this.#unwatch = undefined;
    };
    const next = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(look, ms);
    };
    const look = () => {
      if (done) return;
      if (isSameProcessAlive(agent.pid, agent.startTicks)) return next(events ? backstopMs : pollMs);
      // Until systemd reaps the zombie, ExecMainCode/ExecMainStatus still describe the previous run.
      if (readProcStat(agent.pid)?.state === 'Z') {
        zombieSince ??= Date.now();
        if (Date.now() - zombieSince < 1000) return next(pollMs);
      }
      unwatch();
      void this.#gone(agent);
    };
    const found = findCgroupEvents(pid, { mounts: this.#o.cgroupMounts, exclude: ownCgroupPath() });
    if (found.file === null) {
      this.#fallBack(agent, found.reason);
    } else {
      const file = found.file;
      try {
        events = watch(file, { persistent: false }, (kind) => {
          // `rename`: the file went away with its cgroup, and the inotify watch with it.
          if (kind === 'rename') {
            events?.close();
            events = undefined;
          }
          look();
        });
        events.on('error', (error) => {
          events?.close();
          events = undefined;
          this.#fallBack(agent, `watching ${file} failed: ${error.message}`);
          look();
        });
      } catch (error) {
        events = undefined;
        this.#fallBack(agent, `watching ${file} failed: ${(error as Error).message}`);
      }
    }
    this.#unwatch = unwatch;
    // At once: an exit before the watch was set raised no event.
    look();
    return agent;
  }

  /**
   * Exit detection cannot watch the agent's cgroup: a warning the first time, debug after that;
   * nothing when the agent has gone meanwhile (the look that follows sees to it).
   */
  #fallBack(agent: LaunchedAgent, reason: string): void {
    if (!isSameProcessAlive(agent.pid, agent.startTicks)) return;
    const level = this.#toldFallback ? 'debug' : 'warn';
    this.#toldFallback = true;
    const pollMs = this.#o.pollMs ?? 100;
    this.#events.emit('notice', {
      level,
      fields: { agentPid: agent.pid, reason, pollMs },
      message: `cannot watch the agent's cgroup (${reason}): exit detection falls back to polling /proc every ${pollMs} ms`,
    });
  }

  /** The watched main process is gone: an exit, or a restart of the unit by someone else. */
  async #gone(agent: LaunchedAgent): Promise<void> {
    let props = await this.#show(
      'ActiveState',
      'MainPID',
      'InvocationID',
      'Job',
      'ExecMainCode',
      'ExecMainStatus',
    );
    // A job someone else queued (`systemctl restart`) is waited for: its outcome decides.
    const deadline = Date.now() + (this.#o.settleTimeoutMs ?? 10_000);
    while (!this.#busy && hasJob(props) && Date.now() < deadline && !this.#closed) {
      await sleep(50);
      props = await this.#show(
        'ActiveState',
        'MainPID',
        'InvocationID',
        'Job',
        'ExecMainCode',
        'ExecMainStatus',
      );
    }
    // Our own stop or start is under way, or another agent is watched already: not news.
    if (this.#busy || this.#closed || this.#agent !== agent) return;
    const pid = Number(props.MainPID);
    const restarted =
      props.ActiveState === 'active' && pid > 0 && pid !== agent.pid && props.InvocationID !== agent.instance;
    if (restarted) {
      this.#events.emit('replaced', this.#watch(pid, props.InvocationID ?? '', true), agent);
      return;
    }
    this.#agent = null;
    this.#events.emit('exit', exitOf(agent.pid, props), agent);
  }

  signal(signal: NodeJS.Signals): SignalVerdict {
    const agent = this.#agent;
    if (!agent) return { outcome: 'gone', reason: 'no agent is running' };
    // systemd puts the invocation id in the unit's environment: proof for a root watchdog.
    return guardedSignal(
      { pid: agent.pid, startTicks: agent.startTicks, proof: `INVOCATION_ID=${agent.instance}` },
      signal,
    );
  }

  async stop(options: StopOptions): Promise<KillTreeOutcome> {
    const agent = this.#agent;
    this.#busy++;
    // This stop reports the exit itself, before it resolves: a late one from the watch could
    // otherwise land after the next start and pass for the new agent's crash.
    this.#unwatch?.();
    try {
      // A stopped or hung agent cannot act on SIGTERM; systemd's stop would wait out TimeoutStopSec.
      if (options.graceMs === 0) await this.#systemctl('kill', '--signal=SIGKILL', this.#o.unit);
      const result = await this.#systemctl('stop', this.#o.unit);
      if (result.failed) {
        await this.#systemctl('kill', '--signal=SIGKILL', this.#o.unit);
      }
      if (agent) {
        const deadline = Date.now() + 5000;
        while (isSameProcessAlive(agent.pid, agent.startTicks) && Date.now() < deadline) await sleep(20);
      }
      const alive = agent !== null && isSameProcessAlive(agent.pid, agent.startTicks);
      if (agent && !alive && this.#agent === agent) {
        this.#agent = null;
        this.#events.emit(
          'exit',
          exitOf(agent.pid, await this.#show('ExecMainCode', 'ExecMainStatus')),
          agent,
        );
      }
      const how = !agent ? 'already-exited' : options.graceMs === 0 ? 'SIGKILL' : 'SIGTERM';
      return {
        how,
        killed: [],
        survivors: alive ? [{ pid: agent.pid, startTicks: agent.startTicks, name: 'vigil-agent' }] : [],
      };
    } finally {
      this.#busy--;
    }
  }

  async sweep(_exited: LaunchedAgent): Promise<KillTreeOutcome> {
    // KillMode=control-group: systemd has already killed what the agent left in its cgroup.
    return { how: 'already-exited', killed: [], survivors: [] };
  }

  close(): void {
    this.#closed = true;
    this.#unwatch?.();
  }
}
