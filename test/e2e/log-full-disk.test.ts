// A full disk under the logs must cost log lines, never supervision: a real pair whose log
// folder is a small tmpfs (only root can mount one), filled up, still recovers a hung agent;
// once space returns the log goes on with whole JSON lines and says how many were lost. A
// watchdog started on a log disk that is already full (no space, no inodes) starts and
// supervises. Only the log folder is on the small disk: run/ and state/ are the pid file and
// history's concern, not the logs'.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { Pair } from '../support/pair.ts';

/** Why these tests cannot run here, or null when a tmpfs can be mounted. */
function cannotMount(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to mount a small tmpfs as the log folder';
  const probe = mkdtempSync('/tmp/vg-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe]);
    return null;
  } catch (error) {
    return `mount -t tmpfs is refused here: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
const skip = cannotMount() ?? false;

const pairs: { pair: Pair; logDir: string }[] = [];
after(async () => {
  for (const { pair, logDir } of pairs) {
    await pair.stop().catch(() => {});
    const agentPid = pair.agentPidFromFile();
    if (agentPid) {
      try {
        process.kill(-agentPid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    // The agent's agent.log descriptor keeps the mount busy until it has exited.
    await waitFor(() => unmount(logDir), 5000, `umount ${logDir}`, 50).catch(() =>
      execFileSync('umount', ['-l', logDir], { stdio: 'pipe' }),
    );
    await pair.dispose();
  }
});

/** True once `dir` is no longer a mount point. */
function unmount(dir: string): boolean {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return true;
  } catch (error) {
    return /not mounted|no mount point/.test(String((error as { stderr?: Buffer }).stderr ?? ''));
  }
}

/** A pair (the bundled vigil-agent, faults on) whose log folder is a tmpfs of `options`. */
function pairOnSmallLogDisk(options: string): { pair: Pair; logDir: string } {
  const pair = new Pair();
  const logDir = pair.paths.logDir;
  mkdirSync(logDir, { recursive: true, mode: 0o750 });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `${options},mode=0750`, 'tmpfs', logDir]);
  const entry = { pair, logDir };
  pairs.push(entry);
  return entry;
}

/** Fills the disk: data until ENOSPC; with `inodes`, empty files until no inode is left. */
function fill(dir: string, inodes = false): () => void {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024, 0x66);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  // The last partial block: whatever still fits.
  for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
    try {
      for (;;) writeSync(fd, block, 0, size);
    } catch {
      // Next smaller size.
    }
  }
  closeSync(fd);
  const empties: string[] = [];
  if (inodes) {
    try {
      for (let i = 0; ; i++) {
        const name = join(dir, `inode-${i}`);
        closeSync(openSync(name, 'w'));
        empties.push(name);
      }
    } catch (error) {
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    }
  }
  return () => {
    rmSync(filler, { force: true });
    for (const name of empties) rmSync(name, { force: true });
  };
}

/** Every line of watchdog.log, parsed: a torn or glued line fails the parse. */
function wholeRecords(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
  assert.ok(text.endsWith('\n'), `watchdog.log ends inside a line: ${JSON.stringify(text.slice(-120))}`);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return assert.fail(`a torn line in watchdog.log: ${JSON.stringify(l)}`);
      }
    });
}

/**
 * Makes the watchdog log something (an operator's soft recovery writes a few lines) until the
 * line counting the lost ones is there: a file that could not be opened is retried once a second.
 */
function loggedAgain(pair: Pair): boolean {
  let text = '';
  try {
    text = readFileSync(pair.paths.watchdogLog, 'utf8');
  } catch {
    // Not created yet.
  }
  if (text.includes('"lostLines"')) return true;
  pair.cli(['recover', 'soft']);
  return false;
}

async function hangAndWaitForNewAgent(pair: Pair): Promise<void> {
  const before = await pair.waitForHealthy(20_000);
  const chaos = pair.cli(['chaos', 'hang']);
  assert.equal(chaos.code, 0, chaos.stderr);
  const after = await pair.waitForStatus(
    (s) => s.agent.state === 'healthy' && s.agent.pid !== null && s.agent.pid !== before.agent.pid,
    30_000,
    'a new, healthy agent after the hang',
  );
  assert.ok(after.agent.restarts >= 1);
  assert.equal(pair.watchdog?.exitCode, null, `the watchdog is alive:\n${pair.output}`);
}

describe('a full log disk', { skip }, () => {
  test('filled while the pair runs: a hung agent is still recovered; with space back, whole lines and the count of lost ones', async () => {
    const { pair, logDir } = pairOnSmallLogDisk('size=2m');
    await pair.start();
    await pair.waitForHealthy(20_000);
    const free = fill(logDir);
    // The log's last page may still hold a few lines: recover until lines are really dropped
    // (the destination says so once on stderr).
    for (let round = 0; round < 5 && !/cannot write .*watchdog\.log/.test(pair.output); round++) {
      await hangAndWaitForNewAgent(pair);
    }
    assert.match(pair.output, /cannot write .*watchdog\.log \((ENOSPC|short write)\)/);
    free();
    await waitFor(() => loggedAgain(pair), 15_000, 'the line saying how many were lost', 500);
    // Lines after the notice are written too (the notice may be the newest line for a moment).
    let records: Record<string, unknown>[] = [];
    await waitFor(
      () => {
        records = wholeRecords(pair.paths.watchdogLog);
        const at = records.findIndex((r) => typeof r.lostLines === 'number');
        if (at >= 0 && at < records.length - 1) return true;
        pair.cli(['recover', 'soft']);
        return false;
      },
      15_000,
      'a line after the notice',
      500,
    );
    const lost = records.find((r) => typeof r.lostLines === 'number');
    assert.ok((lost?.lostLines as number) > 0, JSON.stringify(lost));
    assert.match(String(lost?.reason), /ENOSPC|short write/);
  });

  test('already full (no space, no inodes) when the watchdog starts: it starts and supervises', async () => {
    const { pair, logDir } = pairOnSmallLogDisk('size=1m,nr_inodes=16');
    const free = fill(logDir, true);
    await pair.start(20_000);
    await hangAndWaitForNewAgent(pair);
    assert.match(pair.output, /cannot write .*watchdog\.log/, 'said once on stderr');
    free();
    await waitFor(() => loggedAgain(pair), 15_000, 'watchdog.log, once it can be created', 500);
    const [first] = wholeRecords(pair.paths.watchdogLog);
    assert.ok(
      (first?.lostLines as number) > 0,
      `the first line counts the lost ones: ${JSON.stringify(first)}`,
    );
  });
});
