/**
 * systemd mode: the agent is its own unit (vigil-agent.service) and the watchdog drives it with
 * systemctl through execa. The agent's pid is the unit's MainPID; its exit is seen by watching
 * that pid in /proc (not our child); systemd kills the whole cgroup on stop (KillMode=control-group),
 * so nothing escapes a hard stop. The unit has no Restart= of its own: every restart is the
 * watchdog's, and a start is `systemctl restart`, which is never held back by a holdoff.
 *
 * When the main process goes away while the watchdog is neither starting nor stopping the unit,
 * the unit tells what happened: a new invocation with a new MainPID means someone else (an
 * operator's `systemctl restart`) restarted it, and the new process is adopted ("replaced");
 * otherwise the agent exited.
 */
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchdogErrors } from '../errors.js';
import type { KillTreeOutcome } from '../process/kill-tree.js';
import type { AgentPidRecord } from '../process/pid-file.js';
import { isSameProcessAlive, readCmdline, readProcStat } from '../process/proc-stat.js';
import { guardedSignal, type SignalVerdict } from '../process/signal-guard.js';
import type { AgentExit, AgentLauncher, LaunchedAgent, StopOptions } from './launcher.js';

export interface SystemdLauncherOptions {
  unit: string;
  systemctl?: string;
  /** How long a job someone else queued on the unit (a restart) may take before it counts as an exit. */
  settleTimeoutMs?: number;
  pollMs?: number;
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
  }>();
  #agent: LaunchedAgent | null = null;
  #poll: NodeJS.Timeout | undefined;
  /** Starts and stops of our own in flight: what the unit does meanwhile is ours. */
  #busy = 0;
  #rechecking = false;
  #closed = false;

  constructor(options: SystemdLauncherOptions) {
    this.#o = options;
  }

  async #systemctl(...args: string[]) {
    // Loaded on first use: the embedded daemon imports this file (choose-launcher) but never runs it.
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
    clearInterval(this.#poll);
    let zombieSince: number | undefined;
    const poll = setInterval(() => {
      if (isSameProcessAlive(agent.pid, agent.startTicks)) return;
      // Until systemd reaps the zombie, ExecMainCode/ExecMainStatus still describe the previous run.
      if (readProcStat(agent.pid)?.state === 'Z') {
        zombieSince ??= Date.now();
        if (Date.now() - zombieSince < 1000) return;
      }
      clearInterval(poll);
      void this.#gone(agent);
    }, this.#o.pollMs ?? 100);
    this.#poll = poll;
    return agent;
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
    // This stop reports the exit itself, before it resolves: a late one from the poll could
    // otherwise land after the next start and pass for the new agent's crash.
    clearInterval(this.#poll);
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
    clearInterval(this.#poll);
  }
}
