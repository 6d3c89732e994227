/**
 * The processes the resource sampler reads: the agent and its descendants, each with its
 * /proc/PID/stat held open (process/proc-file.ts) so that a sample is one pread a process, and
 * each of its threads' /proc/PID/task/TID/children files held open for the walk that finds new
 * descendants. A held stat file names its process for good: once the process is gone, reads
 * fail, and the member is dropped with every file it held; a later process with the same pid
 * joins only if a walk finds it as a child of a member, as a new member.
 *
 * The walk reads the children files of the known tree only, never all of /proc: per member a
 * listing of its threads (which may have changed) and one pread per thread. Only on a kernel
 * without children files (no CONFIG_PROC_CHILDREN) is every /proc/PID/stat read instead, as
 * descendants.ts does.
 */
import { readdirSync } from 'node:fs';
import { childrenByScan, hasChildrenFiles, MAX_PROCESSES } from '../process/descendants.js';
import { ProcFile, text } from '../process/proc-file.js';
import { type ProcessUsage, readStatFile, usageFrom } from './proc-usage.js';

interface Member {
  pid: number;
  startTicks: number;
  stat: ProcFile;
  /** Its threads' children files, by thread id. */
  children: Map<string, ProcFile>;
  /** The walk that last found it in the tree. */
  walk: number;
}

function closeMember(member: Member): void {
  member.stat.close();
  for (const file of member.children.values()) file.close();
  member.children.clear();
}

export class SampledTree {
  readonly #rootPid: number;
  readonly #rootStartTicks: number | undefined;
  /** The root first (a Map keeps insertion order), then its descendants. */
  readonly #members = new Map<number, Member>();
  #root: Member | null = null;
  /** Once the root was read, its leaving is final: the agent is gone. */
  #rootSeen = false;
  #walks = 0;
  #closed = false;

  /** With `startTicks`, the root is followed only while it is that process (not a reused pid). */
  constructor(pid: number, startTicks?: number) {
    this.#rootPid = pid;
    this.#rootStartTicks = startTicks;
    this.#openRoot();
  }

  /** The processes followed now, the root first, each with its start time. */
  identities(): { pid: number; startTicks: number }[] {
    return [...this.#members.values()].map(({ pid, startTicks }) => ({ pid, startTicks }));
  }

  /** How many processes are followed now, the root included. */
  get size(): number {
    return this.#members.size;
  }

  /** The usage of the root and its descendants now; null when the root is gone. */
  read(): ProcessUsage[] | null {
    if (!this.#root) return null;
    const out: ProcessUsage[] = [];
    for (const member of this.#members.values()) {
      const stat = readStatFile(member.stat);
      // The start time read through a held file never changes; through one opened for each
      // read (past the descriptor budget) a different one is a reused pid.
      if (!stat || stat.startTicks !== member.startTicks) {
        this.#drop(member);
        continue;
      }
      const usage = usageFrom(member.pid, stat);
      if (usage) out.push(usage);
    }
    return this.#root ? out : null;
  }

  /**
   * Walks the children files of the tree: a new descendant joins, one the walk no longer
   * reaches (it exited, or left the tree when its parent did) is dropped. At most `limit`
   * descendants.
   */
  refresh(limit = MAX_PROCESSES): void {
    if (!this.#root && !this.#rootSeen) this.#openRoot();
    const root = this.#root;
    if (!root) return;
    const walk = ++this.#walks;
    root.walk = walk;
    const scan = hasChildrenFiles() ? null : childrenByScan();
    const queue: Member[] = [root];
    let found = 0;
    walking: for (let i = 0; i < queue.length; i++) {
      const parent = queue[i] as Member;
      for (const pid of scan ? scan(parent.pid) : this.#childrenOf(parent)) {
        if (found >= limit) break walking;
        let member = this.#members.get(pid);
        if (member?.walk === walk) continue;
        // A new one must still be the child of the member it was listed under (not a reused pid).
        member ??= this.#open(pid, parent.pid) ?? undefined;
        if (!member) continue;
        member.walk = walk;
        found++;
        queue.push(member);
      }
    }
    for (const member of this.#members.values()) if (member.walk !== walk) this.#drop(member);
  }

  /** Gives back every descriptor; the tree reads nothing after this. */
  close(): void {
    this.#closed = true;
    for (const member of this.#members.values()) closeMember(member);
    this.#members.clear();
    this.#root = null;
  }

  #openRoot(): void {
    if (this.#closed) return;
    const member = this.#open(this.#rootPid, null);
    if (!member) return;
    if (this.#rootStartTicks !== undefined && member.startTicks !== this.#rootStartTicks) {
      this.#drop(member);
      this.#rootSeen = true;
      return;
    }
    this.#root = member;
    this.#rootSeen = true;
  }

  /** `pid` as a member, when it is alive and (unless the root) still the child of `ppid`. */
  #open(pid: number, ppid: number | null): Member | null {
    const stat = ProcFile.open(`/proc/${pid}/stat`);
    if (!stat) return null;
    const fields = readStatFile(stat);
    if (!fields || fields.state === 'Z' || fields.state === 'X' || (ppid !== null && fields.ppid !== ppid)) {
      stat.close();
      return null;
    }
    const member: Member = {
      pid,
      startTicks: fields.startTicks,
      stat,
      children: new Map(),
      walk: this.#walks,
    };
    this.#members.set(pid, member);
    return member;
  }

  #drop(member: Member): void {
    closeMember(member);
    this.#members.delete(member.pid);
    if (member === this.#root) {
      // The agent is gone: its descendants are nobody's to sample now.
      this.#root = null;
      for (const other of this.#members.values()) closeMember(other);
      this.#members.clear();
    }
  }

  /** The children of `member`, over all its threads (a child belongs to the thread that forked it). */
  #childrenOf(member: Member): number[] {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${member.pid}/task`);
    } catch {
      return [];
    }
    const files = member.children;
    const out: number[] = [];
    let opened = false;
    for (const tid of tids) {
      let file = files.get(tid);
      if (!file) {
        file = ProcFile.open(`/proc/${member.pid}/task/${tid}/children`) ?? undefined;
        if (!file) continue;
        files.set(tid, file);
        opened = true;
      }
      const n = file.read();
      if (n <= 0) continue;
      for (const part of text(n).split(' ')) {
        const child = Number(part);
        if (part !== '' && Number.isSafeInteger(child)) out.push(child);
      }
    }
    // Threads that ended: their files read empty from now on; give them back.
    if (files.size > tids.length) {
      for (const [tid, file] of files) {
        if (!tids.includes(tid)) {
          file.close();
          files.delete(tid);
        }
      }
    }
    // The listing and the new files went by pid: they were this member's only if it is still
    // alive now (a pid is not reused while its process lives). A held file needs no such check.
    if (opened && readStatFile(member.stat)?.startTicks !== member.startTicks) return [];
    return out;
  }
}
