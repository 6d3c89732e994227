/**
 * createAgent: what a Node service calls to be supervised by the vigil watchdog. It wires the
 * heartbeat connection, the heartbeat timer, the recovery handler registry, fault injection
 * and the stall sentinel together; each of those lives in its own file.
 */
import { EventEmitter } from 'node:events';
import {
  AGENT_LIFECYCLES,
  type AgentLifecycle,
  type CommandMessage,
  type ConfigReport,
  describeError,
  type FaultSpec,
  type HelloMessage,
  type Logger,
  PROTOCOL_VERSION,
  parseFaultSpec,
  type RecoverLevel,
} from '@vigil/shared';
import type { Agent, AgentEvents } from './agent.js';
import { type CreateAgentOptions, type ResolvedAgentOptions, resolveAgentOptions } from './agent-options.js';
import { AutoRestore } from './auto-restore.js';
import type { CheckReportSource, CheckRevision } from './check-reports.js';
import { CommandDispatcher } from './command-dispatcher.js';
import { sdkErrors } from './errors.js';
import { FaultInjector } from './faults/fault-injector.js';
import { HeartbeatClient } from './heartbeat-client.js';
import { HeartbeatLoop } from './heartbeat-loop.js';
import { eventFor, Lifecycle, type LifecycleState } from './lifecycle.js';
import {
  type MaintenanceHandler,
  type RecoverHandler,
  RecoveryHandlers,
  type RestoreHandler,
} from './recovery-handlers.js';
import { type HealthSource, SelfReport } from './self-report.js';
import { type StallSentinel, startStallSentinel } from './stall-sentinel.js';

const LIFECYCLES: readonly string[] = AGENT_LIFECYCLES;

class VigilAgent extends EventEmitter<AgentEvents> implements Agent {
  readonly #options: ResolvedAgentOptions;
  readonly #log: Logger;
  readonly #lifecycle: Lifecycle;
  readonly #report: SelfReport;
  readonly #heartbeats: HeartbeatLoop;
  readonly #faults: FaultInjector;
  readonly #handlers: RecoveryHandlers;
  readonly #dispatcher: CommandDispatcher;
  readonly #client: HeartbeatClient;
  readonly #autoRestore: AutoRestore | undefined;
  #sentinel: StallSentinel | undefined;
  #started = false;

  constructor(options: ResolvedAgentOptions) {
    super();
    this.#options = options;
    this.#log = options.logger;
    this.#lifecycle = new Lifecycle((to, from, event) => {
      this.#log.info({ from, to, event }, 'agent state');
      this.emit('state', to, from);
    });
    // Heartbeats cannot say `stopped`: the socket is closed by then.
    this.#report = new SelfReport(() =>
      this.#lifecycle.state === 'stopped' ? 'stopping' : this.#lifecycle.state,
    );
    this.#client = new HeartbeatClient({
      socketPath: options.socketPath,
      logger: options.logger,
      hello: () => this.#hello(),
    });
    this.#heartbeats = new HeartbeatLoop({
      intervalMs: options.heartbeatIntervalMs,
      report: this.#report,
      send: (message) => this.#client.send(message),
    });
    this.#faults = new FaultInjector(
      { heartbeats: this.#heartbeats, health: this.#report, logger: options.logger },
      options.faultsEnabled,
    );
    this.#handlers = new RecoveryHandlers({ timeoutMs: options.commandTimeoutMs });
    this.#autoRestore =
      options.restoreAfterMs === undefined
        ? undefined
        : new AutoRestore(options.restoreAfterMs, () => void this.#restoreBySelf());
    this.#dispatcher = new CommandDispatcher({
      handlers: this.#handlers,
      faults: this.#faults,
      onRecovered: (level, ok) => this.#afterRecovery(level, ok),
    });
    this.#client.on('connected', (welcome) => {
      this.#heartbeats.start(welcome.heartbeatIntervalMs);
      this.emit('connected', welcome);
    });
    this.#client.on('disconnected', () => {
      this.#heartbeats.stop();
      this.emit('disconnected');
    });
    this.#client.on('refused', (reason) => this.emit('refused', reason));
    this.#client.on('command', (command) => {
      this.emit('command', command);
      void this.#handle(command);
    });
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  get state(): AgentLifecycle {
    return this.#report.state;
  }

  get lifecycle(): LifecycleState {
    return this.#lifecycle.state;
  }

  get stallFile(): string | undefined {
    return this.#sentinel?.file;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#startSentinel();
    this.#client.start();
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    // The watchdog learns the final state, `stopping`, before the socket closes.
    this.#lifecycle.send('stop');
    this.#heartbeats.beatNow();
    this.#heartbeats.dispose();
    this.#faults.clear();
    this.#autoRestore?.stop();
    this.#handlers.abortRunning();
    const sentinel = this.#sentinel;
    this.#sentinel = undefined;
    await Promise.all([this.#client.stop(), sentinel?.stop()]);
    this.#lifecycle.send('stopped');
  }

  onRecover(level: RecoverLevel, handler: RecoverHandler): void {
    this.#handlers.onRecover(level, handler);
  }

  onRestore(handler: RestoreHandler): void {
    this.#handlers.onRestore(handler);
  }

  onMaintenance(handler: MaintenanceHandler): void {
    this.#handlers.onMaintenance(handler);
  }

  setHealth(health: HealthSource): void {
    this.#report.setHealth(health);
  }

  setState(state: AgentLifecycle): void {
    if (!LIFECYCLES.includes(state)) {
      throw sdkErrors.create(
        'VIGIL_SDK_OPTION_INVALID',
        `setState: state must be one of ${LIFECYCLES.join(', ')}, got ${JSON.stringify(state)}`,
      );
    }
    const event = eventFor(state, this.#lifecycle.state);
    if (event === undefined || !this.#lifecycle.send(event)) {
      this.#log.debug({ from: this.#lifecycle.state, asked: state }, 'state change ignored in this state');
    }
  }

  reportConfig(report: ConfigReport): void {
    this.#report.setConfig(report);
  }

  reportChecks(source: CheckReportSource, revision?: CheckRevision): void {
    this.#report.setChecks(source, revision);
  }

  reportWarning(key: string, text: string | null): void {
    this.#report.setWarning(key, text);
  }

  tick(n = 1): void {
    this.#report.tick(n);
  }

  async injectFault(spec: FaultSpec): Promise<string[]> {
    const parsed = parseFaultSpec(spec);
    if (!parsed.ok) {
      throw sdkErrors.create('VIGIL_SDK_OPTION_INVALID', `injectFault: ${parsed.errors.join('; ')}`);
    }
    const started = this.#faults.start(parsed.value);
    if (started.afterReply) setImmediate(started.afterReply);
    return started.did;
  }

  #hello(): HelloMessage {
    const hello: HelloMessage = {
      v: PROTOCOL_VERSION,
      type: 'hello',
      pid: process.pid,
      version: this.#options.version,
      startTime: Math.round(performance.timeOrigin),
      node: process.version,
    };
    if (this.#options.name !== undefined) hello.name = this.#options.name;
    if (this.#sentinel) hello.stallFile = this.#sentinel.file;
    return hello;
  }

  #startSentinel(): void {
    const reportDir = this.#options.reportDir;
    if (!reportDir) return;
    try {
      this.#sentinel = startStallSentinel({ reportDir, stallMs: this.#options.stallMs, logger: this.#log });
    } catch (cause) {
      const error = sdkErrors.create(
        'VIGIL_STALL_SENTINEL_FAILED',
        `cannot start the stall sentinel in ${reportDir}: ${(cause as Error).message}`,
        { cause },
      );
      this.#log.warn({ err: error }, error.message);
    }
  }

  async #handle(command: CommandMessage): Promise<void> {
    // The watchdog may ping often; the rest is rare and worth a line each.
    const level = command.cmd === 'ping' ? 'debug' : 'info';
    this.#log[level]({ command }, `command: ${command.cmd}`);
    const { result, afterReply } = await this.#dispatcher.dispatch(command);
    this.#log[result.ok ? level : 'warn'](
      { result },
      `result of ${command.cmd}: ${result.ok ? 'ok' : result.error}`,
    );
    if (afterReply) this.#client.sendThen(result, afterReply);
    else if (!this.#client.send(result)) this.#log.warn({ id: result.id }, 'result not sent: not connected');
  }

  /** After a recover or restore: a medium that worked degrades, a restore that worked restores. */
  #afterRecovery(level: 'soft' | 'medium' | 'restore', ok: boolean): string[] {
    this.#autoRestore?.onRecovered(level);
    if (!ok || level === 'soft') return [];
    this.#lifecycle.send(level === 'medium' ? 'degrade' : 'restore');
    return [`state: ${this.#report.state}`];
  }

  async #restoreBySelf(): Promise<void> {
    try {
      const outcome = await this.#handlers.restore();
      const did = [...outcome.did, ...this.#afterRecovery('restore', outcome.ok)];
      this.#log.info({ did, error: outcome.error }, 'restored after a quiet period');
    } catch (error) {
      this.#log.warn({ error: describeError(error) }, 'automatic restore failed');
    }
  }
}

export function createAgent(options: CreateAgentOptions = {}): Agent {
  return new VigilAgent(resolveAgentOptions(options));
}
