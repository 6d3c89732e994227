/**
 * Who may read the system journal, where `vigil logs` reads both units' lines under systemd:
 * root, and members of systemd-journal or adm (journald's own ACLs). Group vigil is not enough,
 * and `vigil install` cannot know the operators, so a failed read names the group to join.
 */
import { readFileSync } from 'node:fs';

export const JOURNAL_GROUPS = ['systemd-journal', 'adm'] as const;

export const JOURNAL_ACCESS =
  'operators need group systemd-journal (or adm) besides group vigil: `sudo usermod -aG systemd-journal,vigil USER`, then log in again';

/** Group names to gids from /etc/group-formatted text. */
function gids(groupFile: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of groupFile.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name && gid !== undefined && gid !== '') out.set(name, Number(gid));
  }
  return out;
}

/**
 * Why this user cannot read the whole journal, or undefined when it can (root, or a member of
 * one of JOURNAL_GROUPS).
 */
export function journalAccessProblem(
  uid: number,
  groups: readonly number[],
  groupFile: string,
): string | undefined {
  if (uid === 0) return undefined;
  const known = gids(groupFile);
  const member = JOURNAL_GROUPS.some((name) => {
    const gid = known.get(name);
    return gid !== undefined && groups.includes(gid);
  });
  return member ? undefined : `this user is in neither ${JOURNAL_GROUPS.join(' nor ')}; ${JOURNAL_ACCESS}`;
}

/** The same, for the process running now. */
export function currentJournalAccessProblem(): string | undefined {
  let groupFile = '';
  try {
    groupFile = readFileSync('/etc/group', 'utf8');
  } catch {
    // No /etc/group: no group can be shown to be missing.
    return undefined;
  }
  return journalAccessProblem(process.getuid?.() ?? 0, process.getgroups?.() ?? [], groupFile);
}
