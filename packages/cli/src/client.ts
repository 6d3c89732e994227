/**
 * How the CLI reaches the watchdog: the control socket when this user may use it, else the
 * read-only status socket (operators in the vigil group), else — for reads — the status file,
 * marked stale.
 */
import { existsSync } from 'node:fs';
import {
  type ControlResponse,
  checkStatus,
  isVigilError,
  type RequestBody,
  resolvePaths,
  type StatusRead,
  type StatusSnapshot,
  sendRequest,
  type VigilPaths,
} from '@vigil/shared/core';
import { CliExit, EXIT } from './exit-codes.js';

/**
 * Where the CLI looks for the pair: VIGIL_MODE or VIGIL_HOME when set; else the embedded home
 * (the checkout's .vigil, or the user's state folder) while a watchdog serves it (its sockets
 * are there); else an installed pair's /run/vigil, so an operator on a host with the units
 * installed needs no environment at all — even from a checkout where a pair once ran embedded,
 * whose stopped home would otherwise hide the running units; else the embedded home.
 * `checkout` is for tests (default: the checkout this copy of vigil runs from).
 */
export function cliPaths(env: NodeJS.ProcessEnv = process.env, checkout?: string | null): VigilPaths {
  if (env.VIGIL_MODE || env.VIGIL_HOME) return resolvePaths({ env });
  const embedded = resolvePaths({ env, mode: 'embedded', ...(checkout === undefined ? {} : { checkout }) });
  if (existsSync(embedded.controlSocket) || existsSync(embedded.statusSocket)) return embedded;
  const installed = resolvePaths({ env, mode: 'systemd' });
  return existsSync(installed.statusSocket) || existsSync(installed.statusFile) ? installed : embedded;
}

export class Unreachable extends Error {}

/** Sends a request; on EACCES for the control socket, read-only ops retry on the status socket. */
export async function request(
  paths: VigilPaths,
  body: RequestBody,
  timeoutMs = 8000,
): Promise<ControlResponse> {
  const readOnly = body.op === 'status' || body.op === 'history';
  const attempts = readOnly ? [paths.controlSocket, paths.statusSocket] : [paths.controlSocket];
  let lastError: unknown;
  for (const socket of attempts) {
    try {
      return await sendRequest(socket, body, timeoutMs);
    } catch (error) {
      lastError = error;
    }
  }
  const why = isVigilError(lastError) ? lastError.message : String(lastError);
  throw new Unreachable(why);
}

/** The data of a successful response, or a CliExit that prints the error and its hint. */
export function unwrap(response: ControlResponse): unknown {
  if (response.ok) return response.data;
  const hint = response.error.hint ? `\n  hint: ${response.error.hint}` : '';
  throw new CliExit(EXIT.warning, `vigil: ${response.error.message}${hint}`);
}

/** The watchdog's status, checked: an answer that is not a status object is no status at all. */
export async function requestStatus(paths: VigilPaths): Promise<StatusSnapshot> {
  const checked = checkStatus(unwrap(await request(paths, { op: 'status' })));
  if (checked.ok) return checked.value;
  throw new CliExit(
    EXIT.unreachable,
    `vigil: the watchdog's status answer is unreadable: ${checked.reason}\n  hint: the CLI and the running watchdog may be different versions; \`vigil --version\` and the watchdog log tell`,
  );
}

/** One line for stderr when the status file cannot be shown, or null when there is none. */
export function statusFileProblem(paths: VigilPaths, read: StatusRead): string | null {
  return read.kind === 'unreadable'
    ? `vigil: status file unreadable: ${paths.statusFile}: ${read.reason}`
    : null;
}

/** Which home the CLI looked at: the embedded home, or the run folder of an installed pair. */
export function lookedAt(paths: VigilPaths): string {
  return paths.home ? `home ${paths.home}` : `${paths.runDir} (systemd)`;
}

export function unreachableMessage(paths: VigilPaths, why: string): string {
  const start = paths.home
    ? `start it with \`vigil start\` (background) or \`vigil run\` (foreground), or set VIGIL_HOME to the home of a running pair; an installed pair: \`systemctl start vigil-watchdog\``
    : 'start it with `systemctl start vigil-watchdog`';
  return `vigil: the watchdog is not reachable for ${lookedAt(paths)} (${why})\n  hint: ${start}`;
}
