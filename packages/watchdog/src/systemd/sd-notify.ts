/**
 * sd_notify for the watchdog (Type=notify, WatchdogSec=): READY=1, STATUS=, WATCHDOG=1, STOPPING=1.
 *
 * Node has no Unix datagram sockets, so the datagrams are sent by ONE long-lived helper process:
 * a Perl one-liner using only the core Socket module (perl-base is Essential on Debian, so it is
 * always there), spawned with execa (an argument array, no shell). It reads one message per line
 * on stdin and sends each as one datagram to $NOTIFY_SOCKET (`@name` is an abstract address).
 * Because the helper lives as long as the watchdog, inside the service's cgroup, systemd can
 * always resolve the sender's PID to the unit; the unit says `NotifyAccess=all` because the
 * sender is a child, not the main process. A short-lived `systemd-notify` per message is the
 * fallback (perl missing, helper died): it may exit before PID 1 reads the datagram, and then
 * the message cannot be attributed and is dropped (systemd < 246; from 246 systemd-notify waits
 * on a BARRIER=1 round trip for up to 5 s instead). With NOTIFY_SOCKET unset this is a no-op.
 */
import type { Writable } from 'node:stream';
import type { Logger } from '@vigil/shared';

/** Reads lines; a NUL inside a line separates assignments of one datagram. */
const HELPER = [
  'use strict; use Socket;',
  'my $name = shift @ARGV; (my $path = $name) =~ s/^\\@/\\0/;',
  'socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "vigil-notify: socket: $!\\n";',
  'my $to = pack_sockaddr_un($path);',
  'while (my $line = <STDIN>) { chomp $line; next if $line eq q();',
  '  $line =~ tr/\\0/\\n/;',
  '  defined(send($s, $line, 0, $to)) or print STDERR "vigil-notify: send to $name: $!\\n"; }',
].join('\n');

export interface Notifier {
  /** True when NOTIFY_SOCKET is set, i.e. messages go somewhere. */
  readonly enabled: boolean;
  ready(status?: string): void;
  watchdog(): void;
  status(text: string): void;
  stopping(): void;
  /** Ends the helper; resolves once every message sent so far was handed on. */
  close(): Promise<void>;
}

export interface NotifierOptions {
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** The Perl interpreter (tests point it at nothing to force the fallback). */
  perl?: string;
  systemdNotify?: string;
}

/** A value may not hold the newline that separates assignments (nor the NUL of our framing). */
function clean(text: string): string {
  return text.replace(/[\n\r\0]+/g, ' ').slice(0, 2000);
}

export function createNotifier(options: NotifierOptions): Notifier {
  const socket = (options.env ?? process.env).NOTIFY_SOCKET;
  if (!socket) {
    return {
      enabled: false,
      ready() {},
      watchdog() {},
      status() {},
      stopping() {},
      close: async () => {},
    };
  }
  const channel = new NotifyChannel(socket, options);
  return {
    enabled: true,
    ready: (status) =>
      channel.send(status === undefined ? ['READY=1'] : ['READY=1', `STATUS=${clean(status)}`]),
    watchdog: () => channel.send(['WATCHDOG=1']),
    status: (text) => channel.send([`STATUS=${clean(text)}`]),
    stopping: () => channel.send(['STOPPING=1']),
    close: () => channel.close(),
  };
}

class NotifyChannel {
  readonly #socket: string;
  readonly #o: NotifierOptions;
  #stdin: Writable | null = null;
  /** Resolves true once the helper runs, false if it could not be started. */
  readonly #started: Promise<boolean>;
  #chain: Promise<void> = Promise.resolve();
  #warnedFallback = false;
  #closed = false;
  #kill: () => void = () => {};
  #exited: Promise<void> = Promise.resolve();

  constructor(socket: string, options: NotifierOptions) {
    this.#socket = socket;
    this.#o = options;
    this.#started = this.#spawnHelper();
  }

  async #spawnHelper(): Promise<boolean> {
    const log = this.#o.logger;
    // Loaded only under systemd (NOTIFY_SOCKET set): an embedded watchdog never carries execa.
    const { execa } = await import('execa');
    let helper: ReturnType<typeof execa>;
    try {
      helper = execa(this.#o.perl ?? 'perl', ['-e', HELPER, this.#socket], {
        stdin: 'pipe',
        stdout: 'ignore',
        stderr: 'pipe',
        buffer: false,
        reject: false,
        // Left to exit on stdin's end, so a last STOPPING=1 is still sent as the watchdog exits.
        cleanup: false,
      });
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'sd_notify helper (perl) could not be started');
      return false;
    }
    this.#exited = helper.then(
      () => {},
      () => {},
    );
    this.#kill = () => helper.kill();
    // Never the reason the process stays up: the watchdog's own sockets keep it alive.
    helper.unref();
    (helper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    (helper.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    helper.stderr?.setEncoding('utf8');
    helper.stderr?.on('data', (text: string) => log.warn({ helper: text.trim() }, 'sd_notify helper'));
    helper.stdin?.on('error', () => {});
    return new Promise<boolean>((resolve) => {
      helper.once('spawn', () => {
        this.#stdin = helper.stdin;
        resolve(true);
      });
      helper.once('error', (error) => {
        log.warn({ err: error.message }, 'sd_notify helper (perl) could not be started');
        resolve(false);
      });
      helper.once('exit', (code, signal) => {
        this.#stdin = null;
        if (!this.#closed) log.warn({ code, signal }, 'sd_notify helper exited');
      });
    });
  }

  send(assignments: string[]): void {
    if (this.#closed) return;
    this.#chain = this.#chain.then(() => this.#deliver(assignments));
  }

  async #deliver(assignments: string[]): Promise<void> {
    const running = await this.#started;
    const stdin = this.#stdin;
    if (running && stdin && !stdin.destroyed) {
      stdin.write(`${assignments.join('\0')}\n`);
      return;
    }
    if (!this.#warnedFallback) {
      this.#warnedFallback = true;
      this.#o.logger.warn(
        'sd_notify: no helper; spawning systemd-notify per message (systemd may drop a message whose sender exited before it was read, so a WATCHDOG=1 can be lost)',
      );
    }
    const { execa } = await import('execa');
    const result = await execa(this.#o.systemdNotify ?? 'systemd-notify', assignments, {
      env: { NOTIFY_SOCKET: this.#socket },
      reject: false,
      timeout: 10_000,
    });
    if (result.failed) {
      this.#o.logger.warn(
        { err: String(result.stderr || result.shortMessage).trim() },
        'sd_notify via systemd-notify failed',
      );
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // The helper may still be starting (execa loads first): closing before it runs would leave it behind.
    await this.#started;
    await this.#chain;
    const stdin = this.#stdin;
    this.#stdin = null;
    if (stdin) stdin.end();
    else this.#kill();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 1000);
    });
    await Promise.race([this.#exited, timeout]);
    clearTimeout(timer);
  }
}

export interface WatchdogPings {
  /** WATCHDOG_USEC / 2, in ms. */
  readonly intervalMs: number;
  stop(): void;
}

/**
 * Pings WATCHDOG=1 every half of WATCHDOG_USEC from a plain timer on the main loop: if the
 * event loop hangs, the pings stop and systemd restarts the watchdog, which is the point.
 * Null when systemd asked for no pings (unset, or WATCHDOG_PID names another process).
 */
export function startWatchdogPings(
  notifier: Notifier,
  env: NodeJS.ProcessEnv = process.env,
): WatchdogPings | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!notifier.enabled || !Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== process.pid) return null;
  const intervalMs = Math.max(1, Math.floor(usec / 2000));
  notifier.watchdog();
  const timer = setInterval(() => notifier.watchdog(), intervalMs);
  timer.unref();
  return { intervalMs, stop: () => clearInterval(timer) };
}
