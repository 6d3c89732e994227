// The built `vigil` CLI against a watchdog whose every answer is full of escape sequences (as a
// hostile agent's text would make them), and against files full of them: no command puts a raw
// control character on the terminal. JSON output stays JSON.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attachNdjson } from '@vigil/shared';
import { sampleIncident, sampleSnapshot } from '../../packages/cli/test/snapshot-fixture.ts';
import { cleanEnv, VIGIL_BIN } from '../support/pair.ts';

const EVIL = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u007f\ud800';

/** Code points a terminal may act on, newline aside. */
function controlsIn(text: string): string[] {
  return [...text]
    .map((char) => char.codePointAt(0) as number)
    .filter(
      (code) =>
        (code < 0x20 && code !== 0x0a) ||
        (code >= 0x7f && code <= 0x9f) ||
        (code >= 0xd800 && code <= 0xdfff),
    )
    .map((code) => `U+${code.toString(16).padStart(4, '0')}`);
}

/** The answers a watchdog gives, each carrying the agent's text. */
function answer(op: string, level?: string): { ok: true; data: unknown } | { ok: false; error: object } {
  switch (op) {
    case 'status':
      return { ok: true, data: sampleSnapshot(EVIL) };
    case 'history':
      return { ok: true, data: [sampleIncident(EVIL)] };
    case 'recover':
      return level === 'hard'
        ? { ok: false, error: { code: 'VIGIL_OPERATOR_REFUSED', message: `refused: ${EVIL}`, hint: EVIL } }
        : { ok: true, data: { accepted: true, detail: `sent ${EVIL}`, incidentId: EVIL } };
    case 'restore':
    case 'fault':
      return {
        ok: true,
        data: { v: 1, type: 'result', id: 'x', ok: true, did: [`did ${EVIL}`], durationMs: 1 },
      };
    default:
      return { ok: true, data: { paused: true, until: null } };
  }
}

describe('vigil never writes a control character it was given', () => {
  const home = mkdtempSync('/tmp/vg-esc-');
  let server: Server;
  before(async () => {
    mkdirSync(join(home, 'run'), { mode: 0o700 });
    server = createServer((socket) => {
      const conn = attachNdjson(socket, {
        maxFrameBytes: 1024 * 1024,
        onMessage(value) {
          const request = value as { id: string; op: string; level?: string };
          conn.send({ v: 1, type: 'response', id: request.id, ...answer(request.op, request.level) });
        },
      });
    });
    await new Promise<void>((resolve) => server.listen(join(home, 'run', 'control.sock'), resolve));
  });
  after(() => {
    server.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** Runs the CLI without blocking this process: the hostile watchdog lives here. */
  function vigil(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [VIGIL_BIN, ...args], {
        env: cleanEnv({ VIGIL_HOME: home }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  const COMMANDS: [string[], number][] = [
    [['status'], 1],
    [['why'], 1],
    [['history'], 0],
    [['recover', 'soft'], 0],
    [['recover', 'hard'], 1],
    [['recover', '--restore'], 0],
    [['chaos', 'hang'], 0],
    [['pause'], 0],
  ];
  for (const [args, code] of COMMANDS) {
    test(`vigil ${args.join(' ')}`, async () => {
      const result = await vigil(args);
      assert.equal(result.code, code, `${result.stdout}${result.stderr}`);
      assert.deepEqual(controlsIn(result.stdout), [], `stdout: ${JSON.stringify(result.stdout)}`);
      assert.deepEqual(controlsIn(result.stderr), [], `stderr: ${JSON.stringify(result.stderr)}`);
      if (args[0] !== 'pause') {
        assert.ok(`${result.stdout}${result.stderr}`.includes('\\x1b]0;pwned'), 'the text is shown, escaped');
      }
    });
  }

  test('--json output is the same data, with no raw control character either', async () => {
    for (const args of [
      ['status', '--json'],
      ['history', '--json'],
    ]) {
      const result = await vigil(args);
      assert.deepEqual(controlsIn(result.stdout.trimEnd()), [], result.stdout);
      const parsed = JSON.parse(result.stdout);
      assert.equal(
        JSON.stringify(parsed).includes('\u009b'),
        true,
        'C1 survives as data, escaped in the text',
      );
    }
  });

  test('config validate: a key and a value full of escapes', async () => {
    const file = join(home, 'evil.yaml');
    writeFileSync(file, 'watchdog:\n  "\\e]0;pwned\\a\\e[2J": 1\n  launcher: "\\e]0;pwned\\a"\n');
    const result = await vigil(['config', 'validate', file]);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(controlsIn(result.stderr), [], result.stderr);
    assert.match(result.stderr, /\\x1b\]0;pwned/);
  });

  test('logs: what the agent wrote to its log, pretty and as JSON', async () => {
    const log = join(home, 'log');
    mkdirSync(log, { recursive: true });
    const time = Date.now() - 1000;
    writeFileSync(
      join(log, 'agent.log'),
      `${JSON.stringify({ level: 30, time, component: 'agent', msg: `check ${EVIL}`, out: EVIL })}\nraw ${EVIL}\n`,
    );
    writeFileSync(
      join(log, 'watchdog.log'),
      `${JSON.stringify({ level: 30, time, component: 'watchdog', msg: 'ok' })}\n`,
    );
    for (const args of [['logs'], ['logs', '--json']]) {
      const result = await vigil(args);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(controlsIn(result.stdout), [], `${args.join(' ')}: ${JSON.stringify(result.stdout)}`);
    }
  });
});
