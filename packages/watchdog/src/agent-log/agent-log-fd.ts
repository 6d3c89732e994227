/**
 * The descriptor the agent's stdout and stderr are spawned on: agent.log opened for appending
 * as `openAppend` does (no link followed, a planted one moved aside; O_APPEND, so a
 * copytruncate rotation sends the agent's next write to the start of the file). When it cannot
 * be opened (a full disk without inodes, a refused folder) the agent still starts, on
 * /dev/null, and that is said once until agent.log opens again. Each open first appends a start
 * mark (start-mark.ts), so the agent's stderr that follows has a time to be read with.
 */
import { constants, lstatSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureDir, type Logger, openAppend, startMarkLine, writeAll } from '@vigil/shared';

export class AgentLogFd {
  readonly #path: string;
  readonly #logger: Logger | undefined;
  #fellBack = false;

  constructor(path: string, logger?: Logger) {
    this.#path = path;
    this.#logger = logger;
  }

  /** An fd to hand to spawn (the caller closes it once the agent has it). */
  open(): number {
    try {
      const fd = this.#openLog();
      try {
        writeAll(fd, startMarkLine());
      } catch {
        // A full disk: the agent still starts; its output just has no time to borrow.
      }
      if (this.#fellBack) this.#logger?.info({ path: this.#path }, 'agent.log opens again');
      this.#fellBack = false;
      return fd;
    } catch (error) {
      if (!this.#fellBack) {
        this.#logger?.error(
          { path: this.#path, err: (error as Error).message },
          "cannot open agent.log; the agent's output goes to /dev/null until it can",
        );
      }
      this.#fellBack = true;
      return openSync('/dev/null', constants.O_WRONLY);
    }
  }

  #openLog(): number {
    const dir = dirname(this.#path);
    try {
      if (!lstatSync(dir).isDirectory()) throw new Error(`${dir} is not a folder (a link is never followed)`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      ensureDir(dir, { mode: 0o750 });
    }
    return openAppend(this.#path, { mode: 0o640, report: this.#logger });
  }
}
