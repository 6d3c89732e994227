/**
 * The service's system user and group. On this host: getent to look, groupadd/useradd --system
 * to add, userdel/groupdel to remove. Under --root (an image, or a test): the entries are
 * written into ROOT/etc/passwd and ROOT/etc/group directly, so nothing on the host is touched.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { commandLine, type RunCommand } from './run-command.js';
import { STATE_DIR } from './units.js';

export const NOLOGIN = '/usr/sbin/nologin';
export const ACCOUNT_COMMENT = 'vigil watchdog and agent';

export interface AccountEntry {
  name: string;
  id: number;
}

export interface SystemAccounts {
  findGroup(name: string): Promise<AccountEntry | null>;
  findUser(name: string): Promise<AccountEntry | null>;
  /** Adds a system group; returns its gid. */
  addGroup(name: string): Promise<number>;
  /** Adds a system user whose primary group is `group`; returns its uid. */
  addUser(name: string, group: AccountEntry): Promise<number>;
  removeUser(name: string): Promise<void>;
  removeGroup(name: string): Promise<void>;
}

export class AccountError extends Error {}

/** This host's accounts, through the shadow-utils commands (NSS-aware: LDAP users are seen). */
export function hostAccounts(run: RunCommand): SystemAccounts {
  const must = async (file: string, args: string[]) => {
    const result = await run(file, args);
    if (result.exitCode !== 0) {
      throw new AccountError(
        `${commandLine(file, args)} failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`,
      );
    }
  };
  const lookup = async (database: 'passwd' | 'group', name: string) => {
    const result = await run('getent', [database, name]);
    // getent: 2 means "no such key".
    if (result.exitCode === 2) return null;
    if (result.exitCode !== 0) {
      throw new AccountError(
        `getent ${database} ${name} failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`,
      );
    }
    const fields = result.stdout.trim().split(':');
    return { name, id: Number(fields[2]) };
  };
  const found = async (database: 'passwd' | 'group', name: string) => {
    const entry = await lookup(database, name);
    if (!entry) throw new AccountError(`${name} was added but getent ${database} does not find it`);
    return entry.id;
  };
  return {
    findGroup: (name) => lookup('group', name),
    findUser: (name) => lookup('passwd', name),
    async addGroup(name) {
      await must('groupadd', ['--system', name]);
      return found('group', name);
    },
    async addUser(name, group) {
      await must('useradd', [
        '--system',
        '--no-create-home',
        '--home-dir',
        STATE_DIR,
        '--shell',
        NOLOGIN,
        '--gid',
        group.name,
        '--comment',
        ACCOUNT_COMMENT,
        name,
      ]);
      return found('passwd', name);
    },
    removeUser: (name) => must('userdel', [name]),
    async removeGroup(name) {
      // userdel may already have removed a user's private group.
      if (await lookup('group', name)) await must('groupdel', [name]);
    },
  };
}

/** System ids as useradd --system picks them: the highest free one at or below 999. */
const SYSTEM_ID_MAX = 999;
const SYSTEM_ID_MIN = 100;

function readText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** Rewrites a file in one rename, keeping its mode and owner (new files: 0644 root). */
function writeText(path: string, text: string): void {
  const before = existsSync(path) ? statSync(path) : null;
  const temp = `${path}.vigil-tmp`;
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(temp, text, { mode: 0o644 });
  if (before) {
    chmodSync(temp, before.mode & 0o7777);
    if (process.getuid?.() === 0) chownSync(temp, before.uid, before.gid);
  }
  renameSync(temp, path);
}

function append(path: string, line: string): void {
  const text = readText(path);
  writeText(path, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`);
}

function entry(text: string, name: string): AccountEntry | null {
  for (const line of lines(text)) {
    const fields = line.split(':');
    if (fields[0] === name) return { name, id: Number(fields[2]) };
  }
  return null;
}

function usedIds(...texts: string[]): Set<number> {
  return new Set(texts.flatMap((text) => lines(text).map((line) => Number(line.split(':')[2]))));
}

function highestFree(used: Set<number>, root: string): number {
  for (let id = SYSTEM_ID_MAX; id >= SYSTEM_ID_MIN; id--) if (!used.has(id)) return id;
  throw new AccountError(`no free system id between ${SYSTEM_ID_MIN} and ${SYSTEM_ID_MAX} in ${root}`);
}

/** Accounts inside ROOT/etc/passwd and ROOT/etc/group (created when missing). */
export function fileAccounts(root: string): SystemAccounts {
  const passwd = join(root, 'etc/passwd');
  const group = join(root, 'etc/group');
  const remove = (path: string, name: string) => {
    const text = readText(path);
    // Only the entry's own line goes: everything else stays byte for byte.
    const kept = text
      .split(/(?<=\n)/)
      .filter((line) => line.split(':')[0] !== name)
      .join('');
    if (kept !== text) writeText(path, kept);
  };
  return {
    findGroup: async (name) => entry(readText(group), name),
    findUser: async (name) => entry(readText(passwd), name),
    async addGroup(name) {
      // Free as a uid too, so the user can get the same number.
      const gid = highestFree(usedIds(readText(group), readText(passwd)), root);
      append(group, `${name}:x:${gid}:`);
      return gid;
    },
    async addUser(name, primary) {
      const used = usedIds(readText(passwd));
      const uid = used.has(primary.id) ? highestFree(used, root) : primary.id;
      append(passwd, `${name}:x:${uid}:${primary.id}:${ACCOUNT_COMMENT}:${STATE_DIR}:${NOLOGIN}`);
      return uid;
    },
    removeUser: async (name) => remove(passwd, name),
    removeGroup: async (name) => remove(group, name),
  };
}
