/**
 * The CLI's exit codes, one table for every command (documented in `vigil --help` and the
 * README). `status` follows the Nagios plugin convention.
 */
export const EXIT = {
  ok: 0,
  /** status: degraded, starting or recovering (Nagios WARNING); other commands: refused or failed. */
  warning: 1,
  /** status: failed or stopped (Nagios CRITICAL). */
  critical: 2,
  /** The watchdog cannot be reached (Nagios UNKNOWN). */
  unreachable: 3,
  /** Bad command line (BSD EX_USAGE). */
  usage: 64,
  /** An internal error (BSD EX_SOFTWARE). */
  internal: 70,
} as const;

export class CliExit extends Error {
  readonly code: number;
  constructor(code: number, message = '') {
    super(message);
    this.code = code;
  }
}
