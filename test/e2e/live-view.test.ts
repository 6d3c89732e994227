// `vigil top` in a real pseudo-terminal (tmux): it draws on the alternate screen with the cursor
// hidden, shows the checks and the open incident's timeline as it grows, and gives the terminal
// back on q and on SIGTERM.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { trackFixturePairs } from '../support/fixture-pair.ts';
import { Pair, VIGIL_BIN } from '../support/pair.ts';

const SERVER = `vigil-top-${process.pid}`;
const pairFor = trackFixturePairs();

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

function open(session: string, home: string, command: 'top' | 'status --watch'): void {
  const env = `VIGIL_HOME='${home}' NO_COLOR=1 PATH='${process.env.PATH}'`;
  tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '140',
    '-y',
    '45',
    // exec: tmux runs this through the user's shell, and dash (a non-root user's /bin/sh) does
    // not exec a lone command as bash does; without it the pane's child would be the inner sh.
    `exec env ${env} sh -c '"${process.execPath}" "${VIGIL_BIN}" ${command}; echo "vigil-exit=$?"; exec sleep 600'`,
  );
}

const pairs: Pair[] = [];
before(() => {
  const which = spawnSync('tmux', ['-V']);
  if (which.error || which.status !== 0)
    throw new Error(
      'tmux is needed for the live view test: apt-get install -y tmux (.ci/system-packages does)',
    );
});
after(async () => {
  spawnSync('tmux', ['-L', SERVER, 'kill-server']);
  for (const pair of pairs) await pair.dispose();
});

describe('vigil top', () => {
  test('draws state, limits and the checks; q restores the terminal', async () => {
    const pair = new Pair();
    pairs.push(pair);
    await pair.start();
    await pair.waitForHealthy();
    open('q', pair.home, 'top');
    await waitFor(
      () => /checks \(3\)/.test(screen('q')) && /disk-root/.test(screen('q')),
      15_000,
      () => `the checks on screen:\n${screen('q')}`,
    );
    assert.equal(modes('q'), '1 0', 'alternate screen, cursor hidden');
    assert.match(screen('q'), /vigil ● healthy {2}vigil-agent v\d/);
    assert.match(screen('q'), /RSS \d+ MiB \/ [\d.]+ MiB {3}CPU \d+% \/ \d+% {3}heartbeat/);

    tmux('send-keys', '-t', 'q', 'q');
    await waitFor(
      () => screen('q').includes('vigil-exit=0'),
      10_000,
      () => `vigil top exited:\n${screen('q')}`,
    );
    assert.equal(modes('q'), '0 1', 'main screen and cursor back');
    assert.doesNotMatch(screen('q'), /checks \(3\)/, 'the frame was on the alternate screen');
  });

  test("status --watch follows an incident's timeline as it grows; SIGTERM restores the terminal", async () => {
    // An agent that ignores SIGTERM keeps a hard rung open for the whole stop timeout.
    const pair = await pairFor('ignores-sigterm', {
      env: { FIXTURE_AFTER_MS: '600000' },
      watchdog: { recovery: { hard: { stopTimeoutMs: 4000 } } },
    });
    await pair.waitForHealthy();
    open('t', pair.home, 'status --watch');
    await waitFor(
      () => /vigil ● healthy/.test(screen('t')),
      15_000,
      () => `the view:\n${screen('t')}`,
    );
    assert.equal(modes('t'), '1 0');

    assert.equal(pair.cli(['recover', 'hard']).code, 0);
    await waitFor(
      () => /incident \S+: operator[\s\S]*\n +\+[^\n]*opened[\s\S]*\n +\+[^\n]*rung hard/.test(screen('t')),
      15_000,
      () => `the open incident:\n${screen('t')}`,
    );
    assert.doesNotMatch(screen('t'), /\n +\+[^\n]* stopped/, 'not stopped yet: SIGTERM is ignored');
    await waitFor(
      () =>
        /\n +\+[^\n]* stopped/.test(screen('t')) ||
        /last incident \S+: operator → restarted/.test(screen('t')),
      20_000,
      () => `the timeline grown by the stop:\n${screen('t')}`,
    );
    await waitFor(
      () => /last incident \S+: operator → restarted/.test(screen('t')),
      20_000,
      () => `the incident closed:\n${screen('t')}`,
    );

    process.kill(vigilPid('t'), 'SIGTERM');
    await waitFor(
      () => screen('t').includes('vigil-exit=0'),
      10_000,
      () => `exited:\n${screen('t')}`,
    );
    assert.equal(modes('t'), '0 1');
  });
});
