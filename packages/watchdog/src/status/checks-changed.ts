/**
 * Whether a check report changes what the status file must say at once: a check added, gone,
 * paused or of another status. A new summary or last run alone waits for the file's periodic
 * rewrite, so a pair with many checks does not rewrite the file on every run.
 */
import type { CheckReports } from '@vigil/shared';

export function checksChanged(before: CheckReports | null, after: CheckReports): boolean {
  if (before === null) return true;
  const names = Object.keys(after);
  if (names.length !== Object.keys(before).length) return true;
  return names.some((name) => {
    const was = before[name];
    const now = after[name];
    return !was || !now || was.status !== now.status || was.paused !== now.paused;
  });
}
