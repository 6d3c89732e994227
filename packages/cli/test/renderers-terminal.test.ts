// Every human view fed agent text full of escape sequences puts no control character on the
// terminal: status, why, history, the pretty logs, `vigil run`'s echo line. Colour, when on, is
// only vigil's own SGR codes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatHumanLine } from '@vigil/shared';
import { explain } from '../src/commands/why.ts';
import { type LogRecord, parsePinoLine, pinoRecord, rawRecord } from '../src/logs/log-record.ts';
import { createRenderer } from '../src/logs/render.ts';
import { renderHistory } from '../src/render-history.ts';
import { renderIncidentLine, renderStatus } from '../src/render-status.ts';
import { sampleIncident, sampleSnapshot } from './snapshot-fixture.ts';

/** Retitles the window, rings, clears the screen, 8-bit CSI, DEL, a lone surrogate. */
export const EVIL = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u007f\ud800\r';

/** vigil's own colour: SGR sequences only. Everything else that is a control is a leak. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: vigil's own colour codes are what it strips
const OWN_SGR = /\u001b\[\d+m/g;

/** Code points a terminal may act on (newline aside), as U+XXXX. */
export function controlsIn(text: string): string[] {
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

function assertNoControls(text: string, where: string, allowOwnColour = false): void {
  const stripped = allowOwnColour ? text.replace(OWN_SGR, '') : text;
  assert.deepEqual(controlsIn(stripped), [], `${where}: ${JSON.stringify(stripped)}`);
  assert.ok(stripped.includes('\\x1b]0;pwned'), `${where} shows the text, escaped`);
}

describe('human views neutralise agent text', () => {
  for (const color of [false, true]) {
    test(`status (colour ${color ? 'on' : 'off'}), live and stale`, () => {
      const snapshot = sampleSnapshot(EVIL);
      assertNoControls(renderStatus(snapshot, { color }), 'status', color);
      assertNoControls(renderStatus(snapshot, { color, staleMs: 5000 }), 'stale status', color);
      assertNoControls(
        renderIncidentLine({ ...sampleIncident(EVIL), id: EVIL }, Date.now(), color),
        'incident line',
        color,
      );
    });

    test(`history (colour ${color ? 'on' : 'off'}): details, results, evidence frames, report path`, () => {
      const out = renderHistory([sampleIncident(EVIL), sampleIncident(EVIL)], color);
      assertNoControls(out, 'history', color);
      assert.ok(out.includes('stack at the hang'), 'the evidence is rendered');
    });
  }

  test('why: health summary, failing checks, incident detail and frame', () => {
    const snapshot = sampleSnapshot(EVIL);
    snapshot.incidents[0] = { ...sampleIncident(EVIL), evidence: { stack: [`at ${EVIL}`] } };
    assertNoControls(explain(snapshot), 'why');
    assertNoControls(explain(snapshot, 1000), 'stale why');
  });

  test('the data given to a renderer is not changed by it', () => {
    const snapshot = sampleSnapshot(EVIL);
    renderStatus(snapshot, { color: false });
    assert.equal(snapshot.agent.health?.summary, EVIL);
  });
});

describe('logs neutralise what the agent wrote', () => {
  const time = Date.parse('2026-11-23T10:00:00Z');
  const pinoLine = JSON.stringify({
    level: 50,
    time,
    pid: 1,
    component: 'agent',
    msg: `check failed ${EVIL}\nwatchdog forged line`,
    output: EVIL,
    [EVIL]: 'key',
    err: { type: 'Error', message: EVIL, stack: `Error: ${EVIL}\n    at spin (${EVIL}:1:1)` },
  });
  const records: LogRecord[] = [
    pinoRecord(pinoLine, parsePinoLine(pinoLine) as Record<string, unknown>, 'agent'),
    rawRecord(`raw stdout ${EVIL}`, 'agent', time),
  ];

  for (const color of [false, true]) {
    test(`pretty (colour ${color ? 'on' : 'off'}): message, fields, keys, error stack, raw lines`, async () => {
      const render = await createRenderer({ json: false, color });
      for (const record of records) assertNoControls(render(record), 'pretty log', color);
      const first = render(records[0] as LogRecord);
      assert.ok(!first.includes('\nwatchdog forged line'), 'a newline in a message cannot start a line');
    });
  }

  test('--json: the same JSON, DEL and C1 escaped too', async () => {
    const render = await createRenderer({ json: true, color: false });
    const line = JSON.stringify({ level: 30, time, msg: 'csi \u009b2J del \u007f' });
    const out = render(pinoRecord(line, parsePinoLine(line) as Record<string, unknown>, 'agent'));
    assert.deepEqual(controlsIn(out.trimEnd()), [], out);
    assert.deepEqual(JSON.parse(out), JSON.parse(line));
    const raw = render(rawRecord(`raw ${EVIL}`, 'agent', time));
    assert.deepEqual(controlsIn(raw.trimEnd()), [], raw);
  });

  test("vigil run's echo line: a pino record or a line that is not one", () => {
    assertNoControls(formatHumanLine(`${pinoLine}\n`), 'echo line');
    assertNoControls(formatHumanLine(`not json ${EVIL}\n`), 'echo raw line');
    assert.equal(formatHumanLine(`${pinoLine}\n`).split('\n').length, 2, 'one line per record');
    assert.equal(formatHumanLine('null\n'), 'null\n');
  });
});
