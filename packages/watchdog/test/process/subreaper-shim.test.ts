import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { readCmdline, readProcStat } from '../../src/process/proc-stat.ts';
import { probeSubreaper, wrapWithSubreaper } from '../../src/process/subreaper-shim.ts';

const pids: number[] = [];
after(() => {
  for (const pid of pids) {
    try {
      if (pid > 1) process.kill(pid, 'SIGKILL');
    } catch {}
  }
});

describe('the subreaper shim', () => {
  test('is not offered where perl is missing or no prctl number is known', async () => {
    assert.deepEqual(await probeSubreaper({ dirs: ['/nonexistent'] }), {
      ok: false,
      reason: 'perl was not found',
    });
    const other = await probeSubreaper({ arch: 's390x' });
    assert.equal(other.ok, false);
    assert.match((other as { reason: string }).reason, /s390x/);
  });

  test('the agent keeps its own command line and adopts what its descendants orphan', async () => {
    const support = await probeSubreaper();
    assert.ok(support.ok, `perl and prctl work on this host: ${JSON.stringify(support)}`);
    const agent = [
      process.execPath,
      '-e',
      `const c = require('node:child_process').spawn('sh', ['-c', 'env -i sleep 1000 </dev/null >/dev/null 2>&1 & echo $!'], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
       c.stdout.once('data', (d) => console.log(Number(d)));
       setInterval(() => {}, 1000);`,
    ];
    const [file, ...args] = wrapWithSubreaper(support, agent);
    const child = spawn(file as string, args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    await once(child, 'spawn');
    pids.push(child.pid as number);
    const [data] = await once(child.stdout as NodeJS.ReadableStream, 'data');
    const grandchild = Number(String(data));
    pids.push(grandchild);
    assert.deepEqual(readCmdline(child.pid as number), agent, 'after the exec, the agent command');
    const deadline = performance.now() + 5000;
    while (readProcStat(grandchild)?.ppid !== child.pid && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(
      readProcStat(grandchild)?.ppid,
      child.pid,
      'the orphan was reparented to the agent, not to init',
    );
  });
});
