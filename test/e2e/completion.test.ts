// `vigil completion bash|zsh`: written from the command table the parser reads, so every
// command and option completes, and the parser accepts every option the scripts offer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { COMMAND_TABLE } from '../../packages/cli/src/command-table.ts';
import { cleanEnv, VIGIL_BIN } from '../support/pair.ts';

const dir = mkdtempSync('/tmp/vg-completion-');
after(() => rmSync(dir, { recursive: true, force: true }));

/** The script in a file: node's stdin pipe is a socket, which /dev/stdin cannot be opened on. */
function scriptFile(script: string): string {
  const file = join(dir, 'vigil.bash');
  writeFileSync(file, script);
  return file;
}

function vigil(args: string[]) {
  return spawnSync(process.execPath, [VIGIL_BIN, ...args], {
    env: cleanEnv({ VIGIL_HOME: '/nonexistent-vigil-home' }),
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/** What bash completes for `words` (the last being completed), with the script sourced. */
function complete(script: string, words: string[]): { registered: string; replies: string[] } {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const program = `source ${scriptFile(script)}
complete -p vigil
COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; COMPREPLY=()
_vigil
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const run = spawnSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const [registered = '', ...replies] = run.stdout.split('\n').filter(Boolean);
  return { registered, replies };
}

describe('vigil completion', () => {
  const bash = vigil(['completion', 'bash']);

  test('bash: sourcing registers _vigil; commands, options and words complete', () => {
    assert.equal(bash.status, 0, bash.stderr);
    assert.equal(complete(bash.stdout, ['vigil', '']).registered, 'complete -F _vigil vigil');
    assert.deepEqual(complete(bash.stdout, ['vigil', 're']).replies.sort(), ['recover', 'restart', 'resume']);
    assert.deepEqual(
      complete(bash.stdout, ['vigil', '']).replies.sort(),
      [...Object.keys(COMMAND_TABLE), '--help', '--version'].sort(),
    );
    assert.deepEqual(complete(bash.stdout, ['vigil', 'status', '--']).replies.sort(), [
      '--help',
      '--json',
      '--lines',
      '--watch',
    ]);
    assert.deepEqual(complete(bash.stdout, ['vigil', 'recover', '']).replies, ['soft', 'medium', 'hard']);
    assert.ok(complete(bash.stdout, ['vigil', 'chaos', 'h']).replies.includes('hang'));
    assert.deepEqual(complete(bash.stdout, ['vigil', 'logs', '--unit', '']).replies, ['watchdog', 'agent']);
    assert.deepEqual(complete(bash.stdout, ['vigil', 'completion', '']).replies, ['bash', 'zsh']);
  });

  test('zsh: a #compdef script naming every command', () => {
    const zsh = vigil(['completion', 'zsh']);
    assert.equal(zsh.status, 0, zsh.stderr);
    assert.match(zsh.stdout, /^#compdef vigil\n/);
    for (const name of Object.keys(COMMAND_TABLE))
      assert.match(zsh.stdout, new RegExp(`\\n {4}${name}\\) _arguments `));
  });

  test('the parser accepts every option the table lists, and no other', () => {
    for (const [name, entry] of Object.entries(COMMAND_TABLE)) {
      const args = [name];
      for (const [option, spec] of Object.entries(entry.options)) {
        args.push(`--${option}`);
        if (spec.type === 'string') args.push('1');
      }
      const run = vigil([...args, '--help']);
      assert.equal(run.status, 0, `vigil ${args.join(' ')} --help: ${run.stderr}`);
      assert.equal(vigil([name, '--not-an-option-of-vigil']).status, 64, name);
    }
  });

  test('an unknown shell is a usage error', () => {
    const run = vigil(['completion', 'fish']);
    assert.equal(run.status, 64);
    assert.match(run.stderr, /expected bash or zsh/);
  });
});
