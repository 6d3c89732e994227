/** Resident memory of a process, from the kernel's own accounting (VmRSS in /proc/<pid>/status). */
import { readFileSync } from 'node:fs';

export const MiB = 1024 * 1024;

/** VmRSS in bytes, or null when the process is gone (or is a zombie, which has none). */
export function vmRssBytes(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
