// The alerting policy, on a FakeClock with an in-memory sink: what is sent, when, and what not.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { FakeClock } from '@vigil/shared/testing';
import { AlertDispatcher, type AlertsConfig } from '../../src/actions/alert-dispatcher.ts';
import { checkChange } from './check-changes.ts';
import { CountingMetrics } from './counting-metrics.ts';
import { MemorySink } from './memory-sink.ts';
import { type RecordingLogger, recordingLogger } from './recording-logger.ts';

const WINDOW = 2000;
const THROTTLE = 60_000;

describe('AlertDispatcher', () => {
  let log: RecordingLogger;
  let dispatcher: AlertDispatcher;

  function setup(config: Partial<AlertsConfig> = {}) {
    const clock = new FakeClock();
    const sink = new MemorySink();
    const metrics = new CountingMetrics();
    log = recordingLogger();
    dispatcher = new AlertDispatcher({
      config: { throttleMs: THROTTLE, summaryAfter: 3, ...config },
      logger: log.logger,
      clock,
      hostname: 'test-host',
      metrics,
      sinks: [sink],
    });
    const change = (
      name: string,
      from: 'ok' | 'warn' | 'critical',
      to: 'ok' | 'warn' | 'critical',
      alert = true,
    ) => dispatcher.onChange(checkChange(clock, name, from, to, { alert, labels: { team: 'ops' } }));
    return { clock, sink, metrics, change };
  }

  afterEach(async () => {
    await dispatcher.close();
    log.dispose();
  });

  test('ok → critical fires (after the storm window), back to ok resolves', () => {
    const { clock, sink, change } = setup();
    change('disk', 'ok', 'critical');
    assert.deepEqual(sink.all(), [], 'firing waits for the storm window');
    clock.advance(WINDOW);
    assert.deepEqual(sink.all(), ['disk:firing:critical']);
    const startsAt = clock.wallNow() - WINDOW;
    clock.advance(5000);
    change('disk', 'critical', 'ok');
    assert.deepEqual(
      sink.all(),
      ['disk:firing:critical', 'disk:resolved:critical'],
      'a resolve does not wait',
    );
    const resolved = sink.notices[1];
    assert.ok(resolved?.kind === 'single');
    assert.equal(resolved.alert.startsAt, startsAt);
    assert.equal(resolved.alert.endsAt, clock.wallNow());
    assert.equal(resolved.alert.summary, 'disk is ok');
    assert.deepEqual(resolved.alert.labels, { team: 'ops' });
  });

  test('ok → warn fires with severity warning; a log line per alert, warn then info', () => {
    const { clock, sink, change } = setup();
    change('load', 'ok', 'warn');
    clock.advance(WINDOW);
    change('load', 'warn', 'ok');
    assert.deepEqual(sink.all(), ['load:firing:warning', 'load:resolved:warning']);
    const lines = log.records().filter((r) => r.event === 'alert');
    assert.deepEqual(
      lines.map((r) => [r.levelName, r.status, r.severity, r.check]),
      [
        ['warn', 'firing', 'warning', 'load'],
        ['info', 'resolved', 'warning', 'load'],
      ],
    );
  });

  test('a severity change is sent again, both ways', () => {
    const { clock, sink, change } = setup();
    change('mem', 'ok', 'warn');
    clock.advance(WINDOW);
    change('mem', 'warn', 'critical');
    clock.advance(WINDOW);
    change('mem', 'critical', 'warn');
    clock.advance(WINDOW);
    assert.deepEqual(sink.all(), ['mem:firing:warning', 'mem:firing:critical', 'mem:firing:warning']);
  });

  test('one alert per incident: the same severity is never sent twice', () => {
    const { clock, sink, metrics, change } = setup();
    change('disk', 'ok', 'critical');
    clock.advance(WINDOW);
    change('disk', 'critical', 'critical');
    clock.advance(WINDOW);
    // Down and back up inside one window: still the alert that was sent.
    change('disk', 'critical', 'warn');
    change('disk', 'warn', 'critical');
    clock.advance(WINDOW);
    assert.deepEqual(sink.all(), ['disk:firing:critical']);
    assert.equal(metrics.get('suppressed:dedupe'), 2);
  });

  test('throttle: a firing within throttleMs of a resolve is held, and so is its resolve', () => {
    const { clock, sink, metrics, change } = setup();
    change('port', 'ok', 'critical');
    clock.advance(WINDOW);
    change('port', 'critical', 'ok');
    change('port', 'ok', 'critical');
    clock.advance(WINDOW);
    change('port', 'critical', 'ok');
    assert.deepEqual(sink.all(), ['port:firing:critical', 'port:resolved:critical']);
    assert.equal(metrics.get('suppressed:throttle'), 2);
    const held = log.records().filter((r) => r.suppressed === 'throttle');
    assert.deepEqual(
      held.map((r) => r.status),
      ['firing', 'resolved'],
    );
    clock.advance(THROTTLE);
    change('port', 'ok', 'critical');
    clock.advance(WINDOW);
    assert.deepEqual(sink.all().slice(2), ['port:firing:critical'], 'sent again once the window is over');
  });

  test('throttle: a firing still wanted when the window ends is sent then', () => {
    const { clock, sink, change } = setup();
    change('port', 'ok', 'warn');
    clock.advance(WINDOW);
    change('port', 'warn', 'ok');
    clock.advance(1000);
    change('port', 'ok', 'critical');
    clock.advance(WINDOW);
    assert.equal(sink.all().length, 2);
    clock.advance(THROTTLE - 1000 - WINDOW - 1);
    assert.equal(sink.all().length, 2, 'still inside the throttle window');
    clock.advance(1);
    assert.deepEqual(sink.all().slice(2), ['port:firing:critical']);
  });

  test('storm: summaryAfter checks going bad together are ONE summary; resolves go one by one', () => {
    const { clock, sink, metrics, change } = setup();
    for (const [i, name] of ['a', 'b', 'c', 'd', 'e'].entries()) {
      change(name, 'ok', i === 2 ? 'critical' : 'warn');
      clock.advance(300);
    }
    clock.advance(WINDOW);
    assert.deepEqual(sink.all(), ['storm:a,b,c,d,e']);
    const storm = sink.notices[0];
    assert.ok(storm?.kind === 'storm');
    assert.equal(storm.summary, '5 checks failing: a, b, c, d, e');
    assert.equal(storm.severity, 'critical');
    const lines = log.records().filter((r) => r.event === 'alert-storm' || r.event === 'alert');
    assert.equal(lines.length, 1, 'one log line for the storm');
    assert.equal(lines[0]?.msg, '5 checks failing: a, b, c, d, e');
    assert.equal(metrics.get('suppressed:storm'), 5);
    assert.equal(metrics.get('sent:memory:firing'), 0, 'counted once the send resolves');
    change('b', 'warn', 'ok');
    change('d', 'warn', 'ok');
    assert.deepEqual(sink.all().slice(1), ['b:resolved:warning', 'd:resolved:warning']);
  });

  test('storm: fewer than summaryAfter go out one by one; a check back to ok inside the window is never sent', () => {
    const { clock, sink, change } = setup();
    change('a', 'ok', 'critical');
    change('b', 'ok', 'critical');
    change('c', 'ok', 'critical');
    change('c', 'critical', 'ok');
    clock.advance(WINDOW);
    assert.deepEqual(sink.all(), ['a:firing:critical', 'b:firing:critical']);
  });

  test('maintenance: only the log hears of it; what still fires at the end is sent then', () => {
    const { clock, sink, metrics, change } = setup();
    change('kept', 'ok', 'warn');
    clock.advance(WINDOW);
    dispatcher.setMaintenance(clock.wallNow() + 60_000);
    change('kept', 'warn', 'ok');
    change('new', 'ok', 'critical');
    change('flap', 'ok', 'critical');
    clock.advance(WINDOW);
    change('flap', 'critical', 'ok');
    assert.deepEqual(sink.all(), ['kept:firing:warning']);
    const silenced = log.records().filter((r) => r.suppressed === 'maintenance');
    assert.ok(silenced.length >= 3);
    assert.ok(silenced.every((r) => String(r.msg).endsWith('suppressed (maintenance)')));
    assert.equal(metrics.get('suppressed:maintenance'), silenced.length);
    clock.advance(60_000);
    assert.deepEqual(sink.all().slice(1).sort(), ['kept:resolved:warning', 'new:firing:critical']);
  });

  test('maintenance: setMaintenance(0) ends it at once', () => {
    const { clock, sink, change } = setup();
    dispatcher.setMaintenance(clock.wallNow() + 3_600_000);
    change('disk', 'ok', 'critical');
    clock.advance(WINDOW);
    assert.deepEqual(sink.all(), []);
    dispatcher.setMaintenance(0);
    assert.deepEqual(sink.all(), ['disk:firing:critical']);
  });

  test('maintenance end with many checks firing sends one summary', () => {
    const { clock, sink, change } = setup();
    dispatcher.setMaintenance(clock.wallNow() + 10_000);
    for (const name of ['a', 'b', 'c']) change(name, 'ok', 'critical');
    clock.advance(10_000);
    assert.deepEqual(sink.all(), ['storm:a,b,c']);
  });

  test('alert: false sends nothing and logs no alert', () => {
    const { clock, sink, change } = setup();
    change('quiet', 'ok', 'critical', false);
    clock.advance(WINDOW);
    change('quiet', 'critical', 'ok', false);
    assert.deepEqual(sink.all(), []);
    assert.equal(log.records().filter((r) => r.event === 'alert').length, 0);
  });

  test('close sends what waits in the storm window and closes the sinks', async () => {
    const { sink, change } = setup();
    change('disk', 'ok', 'critical');
    await dispatcher.close();
    assert.deepEqual(sink.all(), ['disk:firing:critical']);
    assert.equal(sink.closed, true);
    change('disk', 'critical', 'ok');
    assert.equal(sink.all().length, 1, 'nothing after close');
  });

  test('metrics count each delivery by sink and status', async () => {
    const { clock, metrics, change } = setup();
    change('disk', 'ok', 'critical');
    clock.advance(WINDOW);
    change('disk', 'critical', 'ok');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(metrics.get('sent:memory:firing'), 1);
    assert.equal(metrics.get('sent:log:firing'), 1);
    assert.equal(metrics.get('sent:memory:resolved'), 1);
  });
});
