/**
 * The names of rotated log files: `name.1` is the newest, `name.<keep>` the oldest. Shifting
 * renames each one up (the oldest is replaced by the one below it, so it is gone); rename(2)
 * replaces a planted link at the target rather than following it.
 */
import { renameSync } from 'node:fs';

export function rotatedName(path: string, index: number): string {
  return `${path}.${index}`;
}

/** Makes room for a new `path.1`; throws when a rename fails for another reason than absence. */
export function shiftRotated(path: string, keep: number): void {
  for (let i = keep - 1; i >= 1; i--) {
    try {
      renameSync(rotatedName(path, i), rotatedName(path, i + 1));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
