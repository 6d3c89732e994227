// The built CLI helps: a mistyped command, option or value gets the one thing probably meant,
// -V and --version are documented and work, every command has --help with exit codes, no help
// text cites a document the repository does not have, and status names the home it looked at.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cleanEnv, ROOT, VIGIL_BIN } from '../support/pair.ts';

const AGENT_BIN = join(ROOT, 'packages/agent/dist/bin/vigil-agent.js');
const home = mkdtempSync('/tmp/vg-help-');
after(() => rmSync(home, { recursive: true, force: true }));

function vigil(args: string[], bin = VIGIL_BIN) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    env: cleanEnv({ VIGIL_HOME: home }),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The command names the top-level help lists under "Commands:". */
function listedCommands(help: string): string[] {
  const section = help.slice(help.indexOf('Commands:'), help.indexOf('\n\n', help.indexOf('Commands:')));
  return [...section.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1] as string);
}

describe('vigil CLI help and parsing', () => {
  const top = vigil(['--help']);
  const commands = listedCommands(top.stdout);

  test('the commands include the background mode, each with --help and exit codes', () => {
    for (const name of ['run', 'start', 'stop', 'restart', 'status', 'config', 'install']) {
      assert.ok(commands.includes(name), `${name} is listed: ${commands.join(' ')}`);
    }
    for (const name of commands) {
      const result = vigil([name, '--help']);
      assert.equal(result.code, 0, `${name} --help: ${result.stderr}`);
      assert.match(result.stdout, /^Usage: vigil /m, name);
      assert.match(result.stdout, /Exit codes/, `${name} --help documents its exit codes`);
    }
  });

  test('unknown commands: one suggestion when close, the full help when not', () => {
    const typo = vigil(['stauts']);
    assert.equal(typo.code, 64);
    assert.match(typo.stderr, /unknown command "stauts"; did you mean "status"\?/);
    assert.equal(vigil(['sart']).stderr.match(/did you mean "(\w+)"/)?.[1], 'start');
    const far = vigil(['frobnicate']);
    assert.equal(far.code, 64);
    assert.doesNotMatch(far.stderr, /did you mean/);
    assert.match(far.stderr, /Commands:/, 'the commands are listed instead');
  });

  test('unknown options and values: one suggestion when close', () => {
    const option = vigil(['status', '--jsn']);
    assert.equal(option.code, 64);
    assert.match(option.stderr, /vigil status: unknown option --jsn; did you mean --json\?/);
    const inherited = vigil(['history', '--hlep']);
    assert.match(inherited.stderr, /did you mean --help\?/);
    const far = vigil(['status', '--frobnicate']);
    assert.equal(far.code, 64);
    assert.doesNotMatch(far.stderr, /did you mean/);
    assert.match(vigil(['recover', 'sfot']).stderr, /got "sfot" \(did you mean "soft"\?\)/);
    assert.match(vigil(['chaos', 'hnag']).stderr, /unknown fault "hnag" \(did you mean "hang"\?\)/);
    assert.match(vigil(['config', 'valdate']).stderr, /did you mean "validate"\?/);
    assert.match(vigil(['--versoin']).stderr, /did you mean "--version"\?/);
  });

  test('--version and -V are in the help and print the version', () => {
    assert.match(top.stdout, /-V, --version/);
    const version = JSON.parse(readFileSync(join(ROOT, 'packages/watchdog/package.json'), 'utf8')).version;
    for (const flag of ['--version', '-V']) {
      const result = vigil([flag]);
      assert.equal(result.code, 0, flag);
      assert.equal(result.stdout.trim(), version, flag);
    }
  });

  test('no help text cites a document the repository does not have', () => {
    const texts = [
      top.stdout,
      ...commands.map((name) => vigil([name, '--help']).stdout),
      vigil(['--help'], AGENT_BIN).stdout,
    ];
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const headings = new Set([...readme.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]?.trim()));
    for (const text of texts) {
      assert.doesNotMatch(text, /§/, 'a section sign points into a document');
      for (const [path] of text.matchAll(/[\w./-]+\.md\b/g)) {
        assert.ok(existsSync(join(ROOT, path)), `cites ${path}, which the repository does not have`);
      }
      // "the README, "Some section"" must name a section the README has.
      for (const m of text.replace(/\s+/g, ' ').matchAll(/README, "([^"]+)"/g)) {
        assert.ok(headings.has(m[1]), `cites the README section "${m[1]}", which it does not have`);
      }
    }
  });

  test('status names the home it looked at, also when the watchdog is unreachable', () => {
    const json = vigil(['status', '--json']);
    assert.equal(json.code, 3);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.reachable, false);
    assert.equal(parsed.watchdog.home, home);
    assert.match(json.stderr, new RegExp(`not reachable for home ${home}`));
    const human = vigil(['status']);
    assert.equal(human.code, 3);
    assert.match(human.stderr, new RegExp(`not reachable for home ${home}`));
  });
});
