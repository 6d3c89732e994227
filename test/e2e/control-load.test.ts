// Clients cannot make the watchdog hurt the agent. Hundreds of concurrent status and history
// requests (and clients that never read their answers) leave the heartbeats flowing and open no
// incident; 100 `recover hard` requests a second restart the agent at most 1 + budget times, the
// rest joining the restart in progress or refused with the budget; `--wait` reports the outcome.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ControlResponse, IncidentEvent } from '@vigil/shared';
import { type RequestBody, sendRequest } from '@vigil/shared/client';
import { Pair, TEST_WATCHDOG_CONFIG } from '../support/pair.ts';

const TIMEOUT_MS = TEST_WATCHDOG_CONFIG.heartbeat.timeoutMs;
const BUDGET = 3;

/** A long history, so each history request is real work for the watchdog. */
function seedHistory(path: string, incidents: number): void {
  const lines: string[] = [];
  const start = Date.now() - incidents * 60_000;
  for (let i = 0; i < incidents; i++) {
    const incidentId = `seed-${String(i).padStart(5, '0')}`;
    const at = start + i * 60_000;
    const events: IncidentEvent[] = [
      { v: 1, incidentId, at, kind: 'opened', signal: 'memory', detail: `RSS over the limit, seeded ${i}` },
      { v: 1, incidentId, at: at + 5, kind: 'rung', rung: 'soft', detail: 'memory: over' },
      { v: 1, incidentId, at: at + 40, kind: 'result', rung: 'soft', ok: true, durationMs: 30, did: ['gc'] },
      { v: 1, incidentId, at: at + 900, kind: 'closed', outcome: 'resolved', rung: 'soft', durationMs: 900 },
    ];
    for (const event of events) lines.push(JSON.stringify(event));
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o640 });
}

/** A client that asks for four long histories and reads nothing until `drain`. */
function slowReader(path: string, index: number) {
  const socket: Socket = createConnection(path);
  let bytes = '';
  let closed = false;
  socket.on('error', () => {});
  socket.pause();
  socket.once('close', () => {
    closed = true;
  });
  socket.once('connect', () => {
    for (let r = 0; r < 4; r++) {
      socket.write(
        `${JSON.stringify({ v: 1, type: 'request', id: `slow-${index}-${r}`, op: 'history', n: 500 })}\n`,
      );
    }
  });
  return {
    /** Reads what is there until the connection ends or `timeoutMs` passes. */
    async drain(timeoutMs: number): Promise<{ closed: boolean; answers: number }> {
      socket.on('data', (chunk) => {
        bytes += chunk;
      });
      socket.resume();
      const deadline = Date.now() + timeoutMs;
      while (!closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      socket.destroy();
      return { closed, answers: bytes.split('\n').length - 1 };
    },
  };
}

/** One request on a connection of its own, as the CLI makes it; the answer or the failure. */
async function ask(path: string, body: RequestBody, timeoutMs = 5000): Promise<ControlResponse | Error> {
  try {
    return await sendRequest(path, body, timeoutMs);
  } catch (error) {
    return error as Error;
  }
}

describe('a busy control socket never costs the agent', () => {
  const pair = new Pair({ watchdog: { recovery: { operator: { maxRestarts: BUDGET, withinMs: 60_000 } } } });
  before(async () => {
    seedHistory(pair.paths.historyFile, 900);
    await pair.start();
    await pair.waitForHealthy();
  });
  after(() => pair.dispose());

  test('hundreds of concurrent history and status requests, and slow readers: no incident, beats flow', async () => {
    const first = await pair.status();
    const newestBefore = (await pair.history(1))[0]?.id;
    const deadline = performance.now() + 4000;
    const counts = { answered: 0, refused: 0 };
    const worker = async (index: number): Promise<void> => {
      while (performance.now() < deadline) {
        const body: RequestBody = index % 2 ? { op: 'history', n: 500 } : { op: 'status' };
        const answer = await ask(pair.paths.statusSocket, body);
        if (answer instanceof Error) {
          counts.refused++;
          // A refused client comes straight back, a little later.
          await new Promise((r) => setTimeout(r, 20));
        } else counts.answered++;
      }
    };
    // Connections that ask for the long history and do not read the answers (a paused socket
    // stops reading once its small buffer is full, so the rest queues in the watchdog).
    const slowReaders = Array.from({ length: 16 }, (_, i) => slowReader(pair.paths.statusSocket, i));
    // The operator's own view stays available all along, on the control socket.
    const probes: (ControlResponse | Error)[] = [];
    const probing = (async () => {
      while (performance.now() < deadline) {
        probes.push(await ask(pair.paths.controlSocket, { op: 'status' }, 3000));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await Promise.all([...Array.from({ length: 200 }, (_, i) => worker(i)), probing]);

    assert.ok(counts.answered > 0, `requests were served: ${JSON.stringify(counts)}`);
    const failedProbes = probes.filter((p) => p instanceof Error || !p.ok);
    assert.deepEqual(failedProbes, [], 'the control socket answered every probe');
    assert.ok(probes.length >= 1, 'probed during the load');

    const now = await pair.status();
    const newest = (await pair.history(1))[0];
    const seen = `${JSON.stringify(now.agent)} newest incident: ${JSON.stringify(newest?.timeline)}`;
    assert.equal(newest?.id, newestBefore, `no incident opened: ${seen}`);
    assert.equal(now.agent.state, 'healthy', seen);
    assert.equal(now.agent.pid, first.agent.pid, 'the same agent');
    assert.equal(now.agent.restarts, first.agent.restarts);
    assert.equal(now.recovery.incidentId, null, 'no incident open');
    assert.ok(
      (now.agent.worstHeartbeatGapMs ?? 0) < TIMEOUT_MS,
      `worst heartbeat gap ${now.agent.worstHeartbeatGapMs} ms stays under the ${TIMEOUT_MS} ms timeout`,
    );
    // Past the stall limit (5 s) the watchdog has cut each of them off (or refused it at once):
    // reading now, each finds the end of its connection before all four answers.
    await new Promise((r) => setTimeout(r, 7000));
    const outcomes = await Promise.all(slowReaders.map((reader) => reader.drain(5000)));
    assert.deepEqual(
      outcomes.filter((o) => !o.closed || o.answers >= 4),
      [],
      'no slow reader was held with all its answers',
    );
  });

  test('recover hard --wait: exit 0 once the new agent is up, with the outcome', async () => {
    const before = await pair.status();
    const result = pair.cli(['recover', 'hard', '--wait', '--timeout', '60s']);
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /stopping and restarting the agent \(incident \S+/);
    assert.match(
      result.stdout,
      /incident \S+ ended restarted after .*the agent \(pid \d+\) is (healthy|starting)/,
    );
    const after = await pair.waitForHealthy();
    assert.notEqual(after.agent.pid, before.agent.pid);
  });

  test('100 recover hard a second for 10 s: at most 1 + budget restarts; the rest join or are refused', async () => {
    const before = await pair.waitForHealthy();
    const answers: Promise<ControlResponse | Error>[] = [];
    const start = performance.now();
    // 100 a second by the clock, not by the timer: a late tick sends what it owes.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = Math.min(10_000, performance.now() - start);
        while (answers.length < Math.floor(elapsed / 10)) {
          answers.push(ask(pair.paths.controlSocket, { op: 'recover', level: 'hard' }, 15_000));
        }
        if (elapsed >= 10_000) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    const settled = await Promise.all(answers);
    const errors = settled.filter((a): a is Error => a instanceof Error);
    assert.deepEqual(
      errors.map((e) => e.message),
      [],
      `every request was answered: ${JSON.stringify([...new Set(errors.map((e) => e.message.replace(/[0-9a-f-]{36}/, 'ID')))])}`,
    );
    const responses = settled as ControlResponse[];
    const kinds = { restarted: 0, joined: 0, budget: 0, busy: 0 };
    for (const response of responses) {
      if (response.ok) {
        const data = response.data as { detail: string; joined?: boolean; incidentId: string | null };
        if (data.joined) {
          assert.match(data.detail, /^joined the hard recovery in progress/);
          kinds.joined++;
        } else kinds.restarted++;
      } else if (response.error.code === 'VIGIL_CONTROL_BUSY') {
        // A slow host piles up more than the socket's connection limit: refused, saying so.
        assert.match(
          response.error.message,
          /^the watchdog is busy: 32 connections are open on its control socket$/,
        );
        kinds.busy++;
      } else {
        assert.match(
          response.error.message,
          /^operator restart budget spent: 3 in the last 60 s; next allowed in \d+ s$/,
          'a refusal is the budget, saying when the next restart is allowed',
        );
        kinds.budget++;
      }
    }
    assert.equal(responses.length, 1000);
    assert.ok(kinds.restarted >= 1 && kinds.restarted <= BUDGET, JSON.stringify(kinds));
    assert.ok(kinds.joined > 0 && kinds.budget > 0, JSON.stringify(kinds));
    const after = await pair.waitForHealthy(20_000);
    const restarts = after.agent.restarts - before.agent.restarts;
    assert.ok(restarts >= 1 && restarts <= 1 + BUDGET, `${restarts} restarts in 10 s`);

    const refused = pair.cli(['recover', 'hard', '--wait']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /operator restart budget spent: 3 in the last 60 s; next allowed in \d+ s/);
  });
});
