// `vigil top` in a real pseudo-terminal (tmux): it draws on the alternate screen with the cursor
// hidden, shows the checks and the open incident, and gives the terminal back on q and SIGTERM.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Pair, VIGIL_BIN } from '../support/pair.ts';
import { waitFor } from '../support/wait-for.ts';

const SERVER = `vigil-top-${process.pid}`;

function tmux(...args: string[]): string {
  const run = spawnSync('tmux', ['-L', SERVER, ...args], { encoding: 'utf8' });
  if (run.error) throw run.error;
  assert.equal(run.status, 0, `tmux ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

const screen = (session: string) => tmux('capture-pane', '-p', '-t', session);
/** "1 0": alternate screen on, cursor hidden. */
const modes = (session: string) =>
  tmux('display-message', '-p', '-t', session, '#{alternate_on} #{cursor_flag}').trim();

/** The pid of the pane's shell's child: the vigil process. */
function vigilPid(session: string): number {
  const shell = Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim());
  const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/);
  return Number(children[0]);
}

let pair: Pair;
before(async () => {
  const which = spawnSync('tmux', ['-V']);
  if (which.error || which.status !== 0)
    throw new Error(
      'tmux is needed for the live view test: apt-get install -y tmux (.ci/system-packages does)',
    );
  pair = new Pair({ watchdog: { heartbeat: { intervalMs: 100, timeoutMs: 1500 } } });
  await pair.start();
  await pair.waitForHealthy();
});
after(async () => {
  spawnSync('tmux', ['-L', SERVER, 'kill-server']);
  await pair?.dispose();
});

function open(session: string, command: 'top' | 'status --watch'): void {
  const env = `VIGIL_HOME='${pair.home}' NO_COLOR=1 PATH='${process.env.PATH}'`;
  tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '140',
    '-y',
    '45',
    `env ${env} sh -c '"${process.execPath}" "${VIGIL_BIN}" ${command}; echo "vigil-exit=$?"; exec sleep 600'`,
  );
}

describe('vigil top', () => {
  test('draws the checks and the open incident, and q restores the terminal', async () => {
    open('q', 'top');
    await waitFor(
      () => /checks \(3\)/.test(screen('q')) && /disk-root/.test(screen('q')),
      15_000,
      () => `the checks on screen:\n${screen('q')}`,
    );
    assert.equal(modes('q'), '1 0', 'alternate screen, cursor hidden');
    assert.match(screen('q'), /vigil ● healthy {2}vigil-agent v\d/);
    assert.match(screen('q'), /RSS \d+ MiB \/ [\d.]+ MiB {3}CPU \d+% \/ \d+% {3}heartbeat/);

    // The view follows an incident as it grows: a hang opens one, hard recovery closes it.
    assert.equal(pair.cli(['chaos', 'hang']).code, 0);
    await waitFor(
      () => /incident \S+: heartbeat-lost[\s\S]*\+\S+\s+opened/.test(screen('q')),
      20_000,
      () => `the incident on screen:\n${screen('q')}`,
    );
    await waitFor(
      () => /last incident .*→ restarted/.test(screen('q')),
      30_000,
      () => `the incident closed:\n${screen('q')}`,
    );

    tmux('send-keys', '-t', 'q', 'q');
    await waitFor(
      () => screen('q').includes('vigil-exit=0'),
      10_000,
      () => `vigil top exited:\n${screen('q')}`,
    );
    assert.equal(modes('q'), '0 1', 'main screen and cursor back');
    assert.doesNotMatch(screen('q'), /checks \(3\)/, 'the frame was on the alternate screen');
  });

  test('status --watch is the same view; SIGTERM restores the terminal too', async () => {
    open('t', 'status --watch');
    await waitFor(
      () => /disk-root/.test(screen('t')),
      15_000,
      () => `the view:\n${screen('t')}`,
    );
    assert.equal(modes('t'), '1 0');
    process.kill(vigilPid('t'), 'SIGTERM');
    await waitFor(
      () => screen('t').includes('vigil-exit=0'),
      10_000,
      () => `exited:\n${screen('t')}`,
    );
    assert.equal(modes('t'), '0 1');
  });
});
