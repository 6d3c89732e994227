import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { AgentExit, LaunchedAgent, LauncherNotice } from '../../src/launcher/launcher.ts';
import { SystemdLauncher } from '../../src/launcher/systemd-launcher.ts';
import { isSameProcessAlive, readCmdline } from '../../src/process/proc-stat.ts';
import { type TestCgroup, testCgroup } from '../process/test-cgroup.ts';

const UNIT = 'vigil-agent.service';

/**
 * The unit's main process, run by the fake: forks the command (default `sleep 1000`), moves it
 * into the cgroup directory named by the `cgroup` setting (the unit's cgroup, which this
 * process stays outside of, like PID 1), records its pid once it is there, and once it has exited keeps it a
 * zombie for `reap-delay` seconds (systemd reaps a little after the exit too) before recording
 * the status: 128+N when killed by signal N.
 */
const UNIT_MAIN = `
import os, sys, time
S = sys.argv[1]
def setting(name, default):
    path = os.path.join(S, name)
    return open(path).read() if os.path.exists(path) else default
command = setting('command', 'sleep\\0' + '1000').split('\\0')
delay = float(setting('reap-delay', '0'))
cgroup = setting('cgroup', '')
# The pipe's write end closes when the child execs: like systemd, the main pid is known only
# once the process is in the unit's cgroup.
joined, told = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(joined)
    os.setsid()
    if cgroup:
        with open(os.path.join(cgroup, 'cgroup.procs'), 'w') as f:
            f.write(str(os.getpid()))
    os.execvp(command[0], command)
os.close(told)
os.read(joined, 1)
os.close(joined)
def put(name, text):
    with open(os.path.join(S, name + '.tmp'), 'w') as f:
        f.write(text)
    os.rename(os.path.join(S, name + '.tmp'), os.path.join(S, name))
put('pid', str(pid))
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
time.sleep(delay)
_, status = os.waitpid(pid, 0)
put('status', str(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)))
`;

import { paced, waitFor } from '@vigil/shared/testing';

/**
 * A stand-in for systemctl: records its argv, and simulates the one unit with a real process.
 * Like systemd, the main pid stays MainPID (and the exit status stays the previous one) until
 * the process has been reaped; a restart holds a job (Job=) from its stop until its start is
 * done; and with a `holdoff` file a unit whose main process died waits that long in
 * "auto-restart", which a `start` waits out and a `restart` cuts short.
 */
function fakeSystemctl(state: string): string {
  return `#!/usr/bin/env bash
S=${JSON.stringify(state)}
printf '%s\\n' "$*" >> "$S/argv"
verb=$1; shift
unit=""; signal=""; props=()
for a in "$@"; do
  case "$a" in
    --property=*) props+=("\${a#--property=}") ;;
    --signal=*) signal="\${a#--signal=}" ;;
    -*) ;;
    *) unit="$a" ;;
  esac
done
main_pid() { if [ -s "$S/pid" ] && [ ! -e "$S/status" ]; then cat "$S/pid"; else echo 0; fi; }
launch() {
  if [ -e "$S/fail-start" ]; then echo "Job for $unit failed because the control process exited with error code." >&2; exit 1; fi
  rm -f "$S/pid" "$S/status"
  echo "invocation-$RANDOM$RANDOM" > "$S/invocation"
  python3 "$S/unit-main.py" "$S" </dev/null >/dev/null 2>&1 &
  for _ in $(seq 300); do [ -s "$S/pid" ] && break; sleep 0.01; done
  # A program that exits at once has exited by the time the job is done.
  if [ -e "$S/exits-at-once" ]; then for _ in $(seq 300); do [ -e "$S/status" ] && break; sleep 0.01; done; fi
}
stop_main() {
  pid=$(main_pid)
  if [ "$pid" != 0 ]; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 300); do [ -e "$S/status" ] && break; sleep 0.01; done
  fi
}
case "$verb" in
  start)
    [ "$(main_pid)" != 0 ] && exit 0
    if [ -e "$S/holdoff" ] && [ -e "$S/status" ]; then
      echo "start waited out the holdoff" >> "$S/waited"
      sleep "$(cat "$S/holdoff")"
    fi
    launch
    ;;
  restart)
    echo 7 > "$S/job"
    stop_main
    sleep "$(cat "$S/restart-gap" 2>/dev/null || echo 0)"
    launch
    rm -f "$S/job"
    ;;
  stop) stop_main ;;
  kill)
    pid=$(main_pid)
    [ "$pid" != 0 ] && kill -s "\${signal#SIG}" "$pid" 2>/dev/null
    ;;
  show)
    # One snapshot, as systemd answers: the job first, since a restart writes the new main pid
    # (and its invocation before it) before it removes its job. Read property by property, a
    # show could pair the gap's ActiveState with the finished job's empty Job=.
    job=$(cat "$S/job" 2>/dev/null)
    pid=$(main_pid)
    invocation=$(cat "$S/invocation" 2>/dev/null)
    status=$(cat "$S/status" 2>/dev/null || echo none)
    for p in "\${props[@]}"; do
      case "$p" in
        MainPID) echo "MainPID=$pid" ;;
        ActiveState)
          if [ "$pid" != 0 ]; then echo ActiveState=active
          elif [ -n "$job" ]; then echo ActiveState=activating
          elif [ -e "$S/holdoff" ] && [ "$status" != none ]; then echo ActiveState=activating
          else echo ActiveState=inactive; fi ;;
        Job) echo "Job=$job" ;;
        InvocationID) echo "InvocationID=$invocation" ;;
        ExecMainCode)
          if [ "$status" = none ]; then echo ExecMainCode=0
          elif [ "$status" -ge 128 ]; then echo ExecMainCode=2
          else echo ExecMainCode=1; fi ;;
        ExecMainStatus)
          if [ "$status" = none ]; then echo ExecMainStatus=0
          elif [ "$status" -ge 128 ]; then echo "ExecMainStatus=$((status - 128))"
          else echo "ExecMainStatus=$status"; fi ;;
      esac
    done
    ;;
  *) echo "fake systemctl: unknown verb $verb" >&2; exit 1 ;;
esac
`;
}

const dirs: string[] = [];
const launchers: SystemdLauncher[] = [];

function harness(options: { cgroup?: TestCgroup; backstopMs?: number } = {}) {
  const state = mkdtempSync(join(tmpdir(), 'vigil-systemctl-'));
  dirs.push(state);
  const systemctl = join(state, 'systemctl');
  writeFileSync(join(state, 'unit-main.py'), UNIT_MAIN);
  writeFileSync(systemctl, fakeSystemctl(state));
  chmodSync(systemctl, 0o755);
  if (options.cgroup) writeFileSync(join(state, 'cgroup'), options.cgroup.dir);
  const launcher = new SystemdLauncher({
    unit: UNIT,
    systemctl,
    pollMs: 20,
    ...(options.backstopMs === undefined ? {} : { backstopMs: options.backstopMs }),
  });
  launchers.push(launcher);
  return {
    state,
    systemctl,
    launcher,
    argv: () =>
      existsSync(join(state, 'argv')) ? readFileSync(join(state, 'argv'), 'utf8').trim().split('\n') : [],
    set: (name: string, value: string) => writeFileSync(join(state, name), value),
    exits: () => {
      const seen: AgentExit[] = [];
      launcher.onExit((exit) => seen.push(exit));
      return seen;
    },
    notices: () => {
      const seen: LauncherNotice[] = [];
      launcher.onNotice((notice) => seen.push(notice));
      return seen;
    },
    replacements: () => {
      const seen: { agent: LaunchedAgent; previous: LaunchedAgent | null }[] = [];
      launcher.onReplaced((agent, previous) => seen.push({ agent, previous }));
      return seen;
    },
    /** systemctl run by someone else (an operator), without blocking this event loop. */
    operator: (...args: string[]) =>
      new Promise<number | null>((resolve) =>
        spawn(systemctl, args, { stdio: 'ignore' }).on('exit', resolve),
      ),
    mainPid: () => Number(readFileSync(join(state, 'pid'), 'utf8')),
  };
}

after(() => {
  for (const launcher of launchers) launcher.close();
  for (const dir of dirs) {
    const pid = Number(existsSync(join(dir, 'pid')) ? readFileSync(join(dir, 'pid'), 'utf8') : 0);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    // A fake unit main may still be writing its status: retried on ENOTEMPTY.
    rmSync(dir, { recursive: true, force: true, maxRetries: 10 });
  }
});

/** Polls until `predicate` holds; fails after `ms`, stretched to the machine's pace (each fake systemctl call starts a shell). */

describe('SystemdLauncher (against a fake systemctl)', () => {
  test("start runs `systemctl restart` and returns the unit's MainPID", async () => {
    const h = harness();
    const agent = await h.launcher.start();
    assert.equal(agent.pid, Number(readFileSync(join(h.state, 'pid'), 'utf8')));
    assert.deepEqual(readCmdline(agent.pid), ['sleep', '1000']);
    assert.ok(agent.startTicks > 0);
    assert.equal(agent.adopted, false);
    assert.match(agent.instance, /^invocation-/);
    assert.equal(h.launcher.current(), agent);
    assert.equal(h.argv()[0], `restart ${UNIT}`);
    assert.ok(h.argv()[1]?.startsWith(`show ${UNIT} --property=MainPID --property=InvocationID`));
    await h.launcher.stop({ graceMs: 1000 });
  });

  test('stop with graceMs 0 sends `kill --signal=SIGKILL` before `stop`', async () => {
    const h = harness();
    const exits = h.exits();
    const agent = await h.launcher.start();
    const outcome = await h.launcher.stop({ graceMs: 0 });
    const argv = h.argv();
    const kill = argv.indexOf(`kill --signal=SIGKILL ${UNIT}`);
    const stop = argv.indexOf(`stop ${UNIT}`);
    assert.ok(kill >= 0 && stop > kill, argv.join('\n'));
    assert.equal(outcome.how, 'SIGKILL');
    assert.deepEqual(outcome.survivors, []);
    assert.equal(isSameProcessAlive(agent.pid, agent.startTicks), false);
    // Reported before stop resolved: a later one could pass for the next agent's crash.
    assert.deepEqual(exits, [{ pid: agent.pid, code: null, signal: 'SIGKILL' }]);
    assert.equal(h.launcher.current(), null);
  });

  test('stop with a grace period only asks systemd to stop (SIGTERM, then its own timeout)', async () => {
    const h = harness();
    await h.launcher.start();
    const outcome = await h.launcher.stop({ graceMs: 3000 });
    assert.ok(!h.argv().some((line) => line.startsWith('kill')), h.argv().join('\n'));
    assert.equal(outcome.how, 'SIGTERM');
    assert.deepEqual(outcome.survivors, []);
  });

  test('the main process exiting by itself emits one exit event, with its code', async () => {
    const h = harness();
    h.set('command', 'sh\0-c\0sleep 0.2; exit 3');
    const exits = h.exits();
    const agent = await h.launcher.start();
    await waitFor(() => exits.length === 1, paced(5000), 'the exit event');
    assert.deepEqual(exits[0], { pid: agent.pid, code: 3, signal: null });
    assert.equal(h.launcher.current(), null);
  });

  test('a main process killed by a signal is reported with the signal name', async () => {
    const h = harness();
    const exits = h.exits();
    const agent = await h.launcher.start();
    process.kill(agent.pid, 'SIGTERM');
    await waitFor(() => exits.length === 1, paced(5000), 'the exit event');
    assert.deepEqual(exits[0], { pid: agent.pid, code: null, signal: 'SIGTERM' });
  });

  test('the exit status is read only after systemd has reaped the process', async () => {
    const h = harness();
    // The process stays a zombie for 300 ms: until then systemd still shows the previous status.
    h.set('command', 'sh\0-c\0sleep 0.1; exit 7');
    h.set('reap-delay', '0.3');
    const exits = h.exits();
    await h.launcher.start();
    await waitFor(() => exits.length === 1, paced(5000), 'the exit event');
    assert.equal(exits[0]?.code, 7);
  });

  test('adoptRunning adopts an active unit, and declines an inactive one', async () => {
    const h = harness();
    const declined = await h.launcher.adoptRunning(null);
    assert.equal(declined.agent, null);
    assert.match(declined.reason, /inactive/);

    assert.equal(spawnSync(h.systemctl, ['start', UNIT]).status, 0);
    const pid = Number(readFileSync(join(h.state, 'pid'), 'utf8'));
    const exits = h.exits();
    const { agent, reason } = await h.launcher.adoptRunning(null);
    assert.ok(agent);
    assert.equal(agent.pid, pid);
    assert.equal(agent.adopted, true);
    assert.match(reason, new RegExp(`active \\(MainPID ${pid}\\)`));
    // An adopted agent's exit is seen too.
    process.kill(pid, 'SIGKILL');
    await waitFor(() => exits.length === 1, paced(5000), 'the exit event');
    assert.equal(exits[0]?.signal, 'SIGKILL');
  });

  test('a start is never held back by the auto-restart holdoff of a unit whose agent died', async () => {
    const h = harness();
    // Like a Restart=on-failure with RestartSec=60s: a `systemctl start` would wait a minute.
    h.set('holdoff', '60');
    const exits = h.exits();
    const first = await h.launcher.start();
    process.kill(first.pid, 'SIGKILL');
    await waitFor(() => exits.length === 1, paced(5000), 'the exit event');
    const second = await h.launcher.start();
    assert.notEqual(second.pid, first.pid);
    assert.equal(existsSync(join(h.state, 'waited')), false, 'the start waited out the holdoff');
    await h.launcher.stop({ graceMs: 1000 });
  });

  test('a unit restarted by someone else is a replacement, adopted, not an exit', async () => {
    const h = harness();
    // The restart's job spans a gap with no main process at all, as systemd's stop-then-start does.
    h.set('restart-gap', '0.3');
    const exits = h.exits();
    const replaced = h.replacements();
    const agent = await h.launcher.start();
    assert.equal(await h.operator('restart', UNIT), 0);
    await waitFor(() => replaced.length === 1, paced(5000), 'the replacement');
    const { agent: next, previous } = replaced[0] as { agent: LaunchedAgent; previous: LaunchedAgent | null };
    assert.equal(previous, agent);
    assert.equal(next.pid, h.mainPid());
    assert.notEqual(next.pid, agent.pid);
    assert.notEqual(next.instance, agent.instance);
    assert.equal(next.adopted, true);
    assert.equal(h.launcher.current(), next);
    assert.deepEqual(exits, [], 'no exit: the watchdog must not treat it as a crash');
    // The new process is watched like any other: its death is an exit.
    process.kill(next.pid, 'SIGKILL');
    await waitFor(() => exits.length === 1, paced(5000), 'the exit event');
    assert.deepEqual(exits[0], { pid: next.pid, code: null, signal: 'SIGKILL' });
  });

  test("recheck adopts a hello's pid only when it is the unit's MainPID", async () => {
    const h = harness();
    const replaced = h.replacements();
    // The watchdog knows no agent (it had given up, say); an operator started the unit.
    assert.equal(await h.operator('start', UNIT), 0);
    const pid = h.mainPid();
    assert.equal(await h.launcher.recheck(process.pid), null, 'a pid that is not MainPID is not adopted');
    assert.equal(h.launcher.current(), null);
    const agent = await h.launcher.recheck(pid);
    assert.ok(agent);
    assert.equal(agent.pid, pid);
    assert.equal(agent.adopted, true);
    assert.equal(h.launcher.current(), agent);
    assert.deepEqual(replaced, [{ agent, previous: null }]);
    assert.equal(await h.launcher.recheck(pid), null, 'the known agent is not adopted again');
    await h.launcher.stop({ graceMs: 1000 });
  });

  test('an agent that exits at once fails the start, with its exit status', async () => {
    const h = harness();
    h.set('command', 'sh\0-c\0exit 9');
    h.set('exits-at-once', '');
    await assert.rejects(h.launcher.start(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'VIGIL_AGENT_START_FAILED');
      assert.match(error.message, /exited with code 9 at once/);
      return true;
    });
  });

  test("a failing `systemctl restart` rejects with VIGIL_AGENT_START_FAILED and systemctl's message", async () => {
    const h = harness();
    h.set('fail-start', '');
    await assert.rejects(h.launcher.start(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'VIGIL_AGENT_START_FAILED');
      assert.match(error.message, /Job for vigil-agent\.service failed/);
      return true;
    });
  });
});

/** inotify watches of this process (libuv keeps one inotify fd per loop, a watch per fs.watch). */
function inotifyWatches(): number {
  let watches = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      watches += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('inotify wd:')).length;
    } catch {
      // closed meanwhile
    }
  }
  return watches;
}

const openFds = () => readdirSync('/proc/self/fd').length;

const NO_CGROUP = 'no cgroup2 to make a cgroup in (needs root and a writable cgroup2 mount)';

describe("SystemdLauncher: the agent's exit seen through its unit's cgroup", () => {
  test("a crash is seen from the cgroup's event (the backstop is far off)", async (t) => {
    const cgroup = testCgroup('crash');
    if (!cgroup) return t.skip(NO_CGROUP);
    t.after(() => cgroup.remove());
    // Only the event can report this exit before the deadline: the first look was at the start.
    const h = harness({ cgroup, backstopMs: 600_000 });
    const notices = h.notices();
    const exits = h.exits();
    const agent = await h.launcher.start();
    assert.deepEqual(cgroup.pids(), [agent.pid]);
    assert.deepEqual(notices, [], 'no fallback to polling');
    process.kill(agent.pid, 'SIGKILL');
    await waitFor(() => exits.length === 1, paced(5000), 'the exit event');
    assert.deepEqual(exits[0], { pid: agent.pid, code: null, signal: 'SIGKILL' });
    assert.equal(h.launcher.current(), null);
  });

  test('after the event, a zombie is looked at until it is reaped, so the exit status is the new one', async (t) => {
    const cgroup = testCgroup('zombie');
    if (!cgroup) return t.skip(NO_CGROUP);
    t.after(() => cgroup.remove());
    const h = harness({ cgroup, backstopMs: 600_000 });
    // The cgroup empties at the exit; the status is there only 300 ms later, once it is reaped.
    h.set('command', 'sh\0-c\0sleep 0.1; exit 7');
    h.set('reap-delay', '0.3');
    const exits = h.exits();
    await h.launcher.start();
    await waitFor(() => exits.length === 1, paced(5000), 'the exit event');
    assert.equal(exits[0]?.code, 7);
  });

  test('the main process dying while another process of the unit lives on is seen by the backstop', async (t) => {
    const cgroup = testCgroup('lingering');
    if (!cgroup) return t.skip(NO_CGROUP);
    t.after(() => cgroup.remove());
    const h = harness({ cgroup, backstopMs: 100 });
    const exits = h.exits();
    const agent = await h.launcher.start();
    // Like a process that ignores systemd's SIGTERM: the cgroup stays populated.
    const lingering = spawn('sleep', ['1000'], { stdio: 'ignore' });
    t.after(() => lingering.kill('SIGKILL'));
    cgroup.add(lingering.pid as number);
    process.kill(agent.pid, 'SIGKILL');
    await waitFor(() => exits.length === 1, paced(5000), 'the exit event');
    assert.deepEqual(exits[0], { pid: agent.pid, code: null, signal: 'SIGKILL' });
    assert.deepEqual(cgroup.pids(), [lingering.pid], 'the cgroup never emptied');
  });

  test('no inotify watch or fd is left behind: stop, a new start, an exit, a replacement, close', async (t) => {
    const cgroup = testCgroup('no-leak');
    if (!cgroup) return t.skip(NO_CGROUP);
    t.after(() => cgroup.remove());
    const base = inotifyWatches();
    const h = harness({ cgroup, backstopMs: 600_000 });
    h.set('restart-gap', '0.2');
    const exits = h.exits();
    const replaced = h.replacements();
    await h.launcher.start();
    assert.equal(inotifyWatches(), base + 1, 'one watch for the agent');
    await h.launcher.stop({ graceMs: 1000 });
    assert.equal(inotifyWatches(), base, 'stop closes it');
    // libuv's inotify fd lives as long as the loop once made: fds are counted from here.
    const fds = openFds();
    for (let i = 0; i < 3; i++) {
      await h.launcher.start();
      assert.equal(inotifyWatches(), base + 1, `start ${i + 1}: the previous agent's watch was closed`);
    }
    // The stop reported an exit already.
    process.kill(h.mainPid(), 'SIGKILL');
    await waitFor(() => exits.length === 2, paced(5000), 'the exit event');
    assert.equal(exits[1]?.signal, 'SIGKILL');
    assert.equal(inotifyWatches(), base, 'an exit closes it');
    await h.launcher.start();
    assert.equal(await h.operator('restart', UNIT), 0);
    await waitFor(() => replaced.length === 1, paced(5000), 'the replacement');
    assert.equal(inotifyWatches(), base + 1, "the replacement's watch only");
    h.launcher.close();
    assert.equal(inotifyWatches(), base, 'close closes it');
    await waitFor(
      () => openFds() === fds,
      paced(2000),
      () => `${openFds()} fds open, ${fds} before`,
    );
    process.kill(h.mainPid(), 'SIGKILL');
  });

  test('without a cgroup to watch, it says once that it polls, and polls', async () => {
    // The fake unit's processes share this test's cgroup, which never empties while it runs.
    const h = harness();
    const notices = h.notices();
    const exits = h.exits();
    await h.launcher.start();
    assert.equal(notices.length, 1);
    assert.equal(notices[0]?.level, 'warn');
    assert.match(notices[0]?.message ?? '', /exit detection falls back to polling \/proc every 20 ms/);
    const agent = await h.launcher.start();
    assert.deepEqual(
      notices.map((n) => n.level),
      ['warn', 'debug'],
      'said at warn once',
    );
    process.kill(agent.pid, 'SIGKILL');
    await waitFor(() => exits.length === 1, paced(5000), 'the exit event');
  });
});
