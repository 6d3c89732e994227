// The README's first screen, typed as written by a user who is not root, has no pnpm, and cannot
// write npm's global folder, in a fresh `git clone` with a HOME of its own: the run command
// brings the pair up with no package manager left as the watchdog's parent, Ctrl-C stops it
// cleanly, `vigil status` finds it from any folder, and the test command runs the tests.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { StatusSnapshot } from '@vigil/shared';
import { sendRequest } from '@vigil/shared/client';
import { waitFor } from '@vigil/shared/testing';
import { DAEMON_NODE_FLAGS } from '@vigil/watchdog/node-flags';
import { ROOT } from '../support/pair.ts';
import { pidsWithEnv } from '../support/processes.ts';

const root = process.getuid?.() === 0;
/** Root runs the user's commands as nobody; anyone else is already a user without root. */
const user = root
  ? { uid: 65534, gid: 65534 }
  : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
const base = mkdtempSync('/tmp/vg-first-');
const clone = join(base, 'vigil');
const userHome = join(base, 'home');
const bin = join(base, 'bin');

after(() => {
  for (const pid of pidsWithEnv('HOME', userHome)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(base, { recursive: true, force: true });
});

/** The first ```sh block of the README: the commands exactly as a reader types them. */
function firstScreen(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** A PATH with every program of the host except pnpm (and any vigil of the host's). */
function pathWithoutPnpm(): string {
  mkdirSync(bin);
  const dirs = [
    dirname(process.execPath),
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ];
  const seen = new Set(['pnpm', 'pnpx', 'vigil', 'vigil-agent']);
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  return bin;
}

/** The checkout as a clone has it, with this working tree's uncommitted changes on top. */
function cloneCheckout(): void {
  const git = (args: string[], cwd = ROOT) => {
    const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
    assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  // --no-hardlinks: the clone is handed to another user, and must share no inode with ROOT.
  git(['clone', '--quiet', '--no-hardlinks', ROOT, clone], base);
  for (const path of git(['ls-files', '-z', '--modified', '--others', '--exclude-standard']).split('\0')) {
    if (!path) continue;
    const from = join(ROOT, path);
    const to = join(clone, path);
    if (existsSync(from)) {
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
      chmodSync(to, statSync(from).mode & 0o777);
    } else {
      rmSync(to, { force: true });
    }
  }
}

/** Hands `path` to the user (chown -R never follows a symlink it meets). */
function giveToUser(path: string): void {
  if (!root) return;
  const r = spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

const MANAGERS = new Set(['pnpm', 'pnpx', 'npm', 'npx', 'pnpm.cjs', 'pnpm.js', 'npm-cli.js', 'npx-cli.js']);

/** The host's network setup (a CA bundle, a proxy) is every user's, not a tool of this one. */
const HOST_NETWORK = /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|(HTTPS?|NO|ALL)_PROXY)$/i;
const env: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key, value]) => HOST_NETWORK.test(key) && value),
  ),
  PATH: '',
  HOME: userHome,
  LANG: 'C.UTF-8',
};

/** argv that runs `script` in bash as the user. */
function asUser(script: string): [string, string[]] {
  const bash = ['bash', '-c', script];
  if (!root) return [bash[0] as string, bash.slice(1)];
  return ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', ...bash]];
}

function runAsUser(script: string, cwd: string, timeout = 300_000) {
  const [file, args] = asUser(script);
  const r = spawnSync(file, args, { cwd, env, encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, all: `${r.stdout}${r.stderr}` };
}

function procStat(pid: number): { ppid: number; comm: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')) };
  } catch {
    return null;
  }
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

describe("the README's first screen, as a user without root, pnpm or npm's global folder", () => {
  const [runLine, testLine] = firstScreen();

  test('run: the pair comes up; no package manager behind it; status from anywhere; Ctrl-C stops it', {
    timeout: 600_000,
  }, async () => {
    assert.match(runLine ?? '', /^scripts\/setup\.sh && .+ run$/, `the README's run command: ${runLine}`);
    assert.match(testLine ?? '', /^scripts\/setup\.sh && /, `the README's test command: ${testLine}`);
    chmodSync(base, 0o755);
    mkdirSync(userHome);
    env.PATH = pathWithoutPnpm();
    cloneCheckout();
    giveToUser(clone);
    giveToUser(userHome);
    if (!root) {
      // A user's own npm (nvm and the like) may have a writable global folder: take that away.
      const prefix = join(base, 'npm-global');
      mkdirSync(prefix, { mode: 0o555 });
      env.npm_config_prefix = prefix;
    }

    const before = runAsUser(
      'command -v pnpm; [ -w "$(npm prefix --global)" ] && echo writable; id -u',
      clone,
    );
    assert.equal(
      before.stdout.trim(),
      String(user.uid),
      `no pnpm, npm's global folder not writable: ${before.all}`,
    );

    const [file, args] = asUser(runLine as string);
    let output = '';
    // Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
    const shell: ChildProcess = spawn(file, args, {
      cwd: clone,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    shell.stdout?.on('data', (d) => {
      output += d;
    });
    shell.stderr?.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      shell.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const home = join(clone, '.vigil');
    let status: StatusSnapshot | undefined;
    await waitFor(
      async () => {
        if (shell.exitCode !== null) throw new Error(`the run command exited ${shell.exitCode}:\n${output}`);
        try {
          const response = await sendRequest(join(home, 'run/control.sock'), { op: 'status' }, 1000);
          status = response.ok ? (response.data as StatusSnapshot) : undefined;
        } catch {
          status = undefined;
        }
        return status?.agent.state === 'healthy';
      },
      300_000,
      () => `the pair healthy in ${home}; output so far:\n${output}`,
      250,
    );
    const watchdog = (status as StatusSnapshot).watchdog.pid;
    assert.equal((status as StatusSnapshot).watchdog.home, home, "the default home is the checkout's .vigil");

    // The watchdog is the process the shell started (or the shell itself, exec'd): nothing between.
    const parent = procStat(watchdog)?.ppid;
    assert.ok(
      watchdog === shell.pid || parent === shell.pid,
      `watchdog ${watchdog} has parent ${parent}, the shell is ${shell.pid}`,
    );
    // node, the daemon's flags (./vigil passes them to `run`), the program.
    assert.deepEqual(cmdline(watchdog).slice(1), [
      ...DAEMON_NODE_FLAGS,
      join(clone, 'packages/cli/dist/bin/vigil.js'),
      'run',
    ]);
    const managers = pidsWithEnv('HOME', userHome).filter((pid) =>
      cmdline(pid)
        .slice(0, 2)
        .some((arg) => MANAGERS.has(basename(arg))),
    );
    assert.deepEqual(
      managers,
      [],
      `no package manager is left running: ${managers.map((p) => cmdline(p).join(' '))}`,
    );

    // `vigil status` from a folder below the checkout and from / finds the same pair.
    for (const [cwd, launcher] of [
      [join(clone, 'packages/agent'), '../../vigil'],
      ['/', join(clone, 'vigil')],
    ] as const) {
      const r = runAsUser(`${launcher} status --json`, cwd, 30_000);
      assert.equal(r.code, 0, `${cwd}: ${r.all}`);
      const seen = JSON.parse(r.stdout) as StatusSnapshot;
      assert.equal(seen.watchdog.pid, watchdog, cwd);
      assert.equal(seen.watchdog.home, home, cwd);
    }

    // Ctrl-C: SIGINT to the foreground job's whole group. The watchdog stops the agent, then exits 0.
    process.kill(-(shell.pid as number), 'SIGINT');
    const ended = await Promise.race([
      exited,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000).unref()),
    ]);
    assert.ok(ended, `the run command still runs 60 s after Ctrl-C:\n${output}`);
    assert.deepEqual(ended, { code: 0, signal: null }, output);
    assert.deepEqual(pidsWithEnv('HOME', userHome), [], 'nothing of the pair is left');

    // Stopped: status says which home it looked at, from anywhere, with exit 3.
    const down = runAsUser(`${join(clone, 'vigil')} status --json`, '/', 30_000);
    assert.equal(down.code, 3, down.all);
    assert.equal((JSON.parse(down.stdout) as StatusSnapshot).watchdog.home, home);
    assert.ok(down.stderr.includes(home), down.stderr);
  });

  test('test: the README test command runs the tests without pnpm on PATH', { timeout: 600_000 }, () => {
    assert.ok(existsSync(join(clone, 'node_modules')), 'the run test set the clone up');
    // One file, not the whole suite: the suite holds this test.
    const r = runAsUser(`${testLine} -- packages/shared/test/paths`, clone);
    assert.equal(r.code, 0, r.all);
    assert.match(r.stdout, /^ℹ pass [1-9]/m, r.all);
    assert.match(r.stdout, /^ℹ fail 0$/m, r.all);
    assert.equal(runAsUser('command -v pnpm || echo none', clone).stdout.trim(), 'none');
  });
});
