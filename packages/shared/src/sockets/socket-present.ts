/** Whether a socket file is at `path` (not following a link): a removed run folder takes it away. */
import { lstatSync } from 'node:fs';

export function socketPresent(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}
