import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { EmbeddedLauncher } from '../../src/launcher/embedded-launcher.ts';
import type { AgentExit, LaunchedAgent, LauncherNotice } from '../../src/launcher/launcher.ts';
import { INSTANCE_ENV } from '../../src/process/descendants.ts';
import {
  hasEnvironEntry,
  isSameProcessAlive,
  readCmdline,
  readProcStat,
} from '../../src/process/proc-stat.ts';
import type { SubreaperSupport } from '../../src/process/subreaper-shim.ts';

const dir = mkdtempSync('/tmp/vg-embedded-');
const launchers: EmbeddedLauncher[] = [];
const strays: number[] = [];
after(async () => {
  for (const launcher of launchers) {
    await launcher.stop({ graceMs: 0 });
    launcher.close();
  }
  for (const pid of strays) {
    try {
      if (pid > 1) process.kill(pid, 'SIGKILL');
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
});

/** An agent that, on SIGUSR1, hides a grandchild (setsid + double fork + `env -i`) and prints its pid. */
const AGENT = `
  const { spawn } = require('node:child_process');
  process.on('SIGUSR1', () => {
    const c = spawn('sh', ['-c', 'env -i sleep 1000 </dev/null >/dev/null 2>&1 & echo $!'], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    c.stdout.once('data', (d) => console.log('hidden ' + Number(d)));
  });
  process.on('SIGUSR2', () => process.exit(3));
  console.log('ready');
  setInterval(() => {}, 1000);
`;

function launcher(
  command: string[] = [process.execPath, '-e', AGENT],
  probe?: () => Promise<SubreaperSupport>,
) {
  const instance = randomUUID();
  const created = new EmbeddedLauncher({
    command: () => command,
    environment: () => ({
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [INSTANCE_ENV]: instance },
      instance,
    }),
    logFile: join(dir, `agent-${instance}.log`),
    ...(probe ? { probeSubreaper: probe } : {}),
  });
  const notices: LauncherNotice[] = [];
  const exits: Array<[AgentExit, LaunchedAgent]> = [];
  created.onNotice((n) => notices.push(n));
  created.onExit((exit, agent) => exits.push([exit, agent]));
  launchers.push(created);
  return { launcher: created, notices, exits };
}

function readLog(agent: LaunchedAgent): string {
  try {
    return readFileSync(join(dir, `agent-${agent.instance}.log`), 'utf8');
  } catch {
    return '';
  }
}

describe('EmbeddedLauncher', () => {
  test('starts the agent through the subreaper shim; the recorded command is what /proc shows', async () => {
    const { launcher: l } = launcher();
    const agent = await l.start();
    await waitFor(() => readCmdline(agent.pid)?.[0] === process.execPath, 10_000, 'the exec into node');
    assert.deepEqual(readCmdline(agent.pid), agent.cmdline);
    assert.equal(readProcStat(agent.pid)?.startTicks, agent.startTicks);
    assert.equal(readProcStat(agent.pid)?.pgrp, agent.pid, 'it leads its own group');
    assert.ok(hasEnvironEntry(agent.pid, `${INSTANCE_ENV}=${agent.instance}`));
    // A second watchdog adopts it from the record the first would write.
    const { launcher: next } = launcher();
    const found = await next.adoptRunning({ ...agent, watchdogPid: process.pid });
    assert.equal(found.agent?.pid, agent.pid, found.reason);
    next.close();
    launchers.splice(launchers.indexOf(next), 1);
  });

  test('a missing command fails the start with VIGIL_AGENT_START_FAILED', async () => {
    const { launcher: l } = launcher(['/nonexistent/agent', 'x']);
    await assert.rejects(l.start(), { code: 'VIGIL_AGENT_START_FAILED' });
    const { launcher: bare } = launcher(['no-such-agent-command']);
    await assert.rejects(bare.start(), { code: 'VIGIL_AGENT_START_FAILED' });
  });

  test('without the shim the agent is started directly, and the fallback is said once', async () => {
    const { launcher: l, notices } = launcher(undefined, async () => ({
      ok: false,
      reason: 'perl was not found',
    }));
    const first = await l.start();
    assert.deepEqual(readCmdline(first.pid), first.cmdline);
    await l.stop({ graceMs: 0 });
    await l.start();
    const warnings = notices.filter((n) => n.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.fields.reason, 'perl was not found');
  });

  test('signal() is guarded: sent to the running agent, gone once it has exited', async () => {
    const { launcher: l, exits } = launcher();
    const agent = await l.start();
    await waitFor(() => readLog(agent).includes('ready'), 10_000, 'the agent ready');
    assert.deepEqual(l.signal('SIGUSR2'), { outcome: 'sent' });
    await waitFor(() => exits.length === 1, 10_000, 'the exit');
    assert.equal(exits[0]?.[0].code, 3);
    assert.equal(l.signal('SIGUSR2').outcome, 'gone');
    await l.sweep(agent);
  });

  test('an agent that exits by itself: the sweep kills the hidden grandchild it was seen with', async () => {
    const { launcher: l, notices, exits } = launcher();
    const agent = await l.start();
    await waitFor(() => readLog(agent).includes('ready'), 10_000, 'the agent ready');
    process.kill(agent.pid, 'SIGUSR1');
    let hidden = 0;
    await waitFor(
      () => {
        hidden = Number(/hidden (\d+)/.exec(readLog(agent))?.[1] ?? 0);
        return hidden > 0;
      },
      10_000,
      'the hidden grandchild',
    );
    strays.push(hidden);
    // Once its sh parent has exited it is reparented: to the agent, the subreaper, not to init.
    await waitFor(() => readProcStat(hidden)?.ppid === agent.pid, 10_000, 'reparented to the agent');
    await waitFor(
      () => notices.some((n) => (n.fields.tracked as number[] | undefined)?.includes(hidden)),
      10_000,
      'the tracker saw it',
    );
    process.kill(agent.pid, 'SIGUSR2');
    await waitFor(() => exits.length === 1, 10_000, 'the exit');
    const outcome = await l.sweep(agent);
    assert.ok(
      outcome.killed.some((p) => p.pid === hidden),
      JSON.stringify(outcome),
    );
    assert.deepEqual(outcome.survivors, []);
    assert.equal(isSameProcessAlive(hidden), false);
  });
});
