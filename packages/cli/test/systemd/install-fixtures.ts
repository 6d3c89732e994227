/** What the install tests stage: a Debian-like root, a built-looking checkout, a tree's fingerprint. */
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** Folders the tests made, removed when the file's tests are done. */
export const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A root that looks like a Debian host before the install: accounts, unit and polkit dirs. */
export function skeleton(): string {
  const root = mkdtempSync(join(tmpdir(), 'vigil-root-'));
  roots.push(root);
  mkdirSync(join(root, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
  symlinkSync(
    '/lib/systemd/system/ssh.service',
    join(root, 'etc/systemd/system/multi-user.target.wants/ssh.service'),
  );
  mkdirSync(join(root, 'etc/polkit-1/rules.d'), { recursive: true, mode: 0o700 });
  mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
  // Where bash-completion and zsh look, as on a host with both installed.
  mkdirSync(join(root, 'usr/share/bash-completion/completions'), { recursive: true });
  mkdirSync(join(root, 'usr/share/zsh/vendor-completions'), { recursive: true });
  writeFileSync(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/bash\nsystemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin\n',
  );
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nsystemd-journal:x:999:\nsystemd-network:x:998:\n');
  return root;
}

/** Every entry under root with its type, mode, owner and content (or link target). */
export function treeHash(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const what = stat.isSymbolicLink()
        ? `link ${readlinkSync(path)}`
        : stat.isDirectory()
          ? 'dir'
          : `file ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
      out.set(path.slice(root.length), `${what} ${(stat.mode & 0o7777).toString(8)} ${stat.uid}:${stat.gid}`);
      if (stat.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out;
}

/** A directory that looks built, so only its location can be wrong. */
export function builtCopyUnder(parent: string): string {
  const prefix = mkdtempSync(join(parent, 'vigil-checkout-'));
  roots.push(prefix);
  for (const bin of [
    'packages/watchdog/dist/bin/vigil-watchdog.js',
    'packages/agent/dist/bin/vigil-agent.js',
  ]) {
    mkdirSync(join(prefix, bin, '..'), { recursive: true });
    writeFileSync(join(prefix, bin), '');
  }
  return prefix;
}
