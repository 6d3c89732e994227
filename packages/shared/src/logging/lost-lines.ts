/**
 * What a log destination says once writing works again: how many lines it dropped, since when
 * and why, as one JSON line shaped like the logger's own (so `vigil logs` merges and filters it).
 */

const LEVEL_NAMES: Record<number, string> = { 30: 'info', 40: 'warn', 50: 'error' };

/** One pino-shaped JSON line (with its newline) written by a destination itself. */
export function recordLine(
  base: Readonly<Record<string, unknown>>,
  level: 30 | 40 | 50,
  msg: string,
  fields: Record<string, unknown>,
  wallNow: number,
): string {
  return `${JSON.stringify({ level, levelName: LEVEL_NAMES[level], time: wallNow, ...base, msg, ...fields })}\n`;
}

export class LostLines {
  #count = 0;
  #sinceWall = 0;
  #reason = '';

  get count(): number {
    return this.#count;
  }

  /** Counts one dropped line; true when it starts a new run of losses. */
  lose(reason: string, wallNow: number): boolean {
    this.#reason = reason;
    if (this.#count++ > 0) return false;
    this.#sinceWall = wallNow;
    return true;
  }

  /** The "lost N lines" record; call `reset` once it is written. */
  notice(base: Readonly<Record<string, unknown>>, wallNow: number): string {
    const since = new Date(this.#sinceWall).toISOString();
    return recordLine(
      base,
      40,
      `lost ${this.#count} log line${this.#count === 1 ? '' : 's'} since ${since} (${this.#reason})`,
      { lostLines: this.#count, lostSince: this.#sinceWall, reason: this.#reason },
      wallNow,
    );
  }

  reset(): void {
    this.#count = 0;
    this.#reason = '';
  }
}

export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : String((error as Error | null)?.message ?? error);
}
