/**
 * `file`: the sha256 of a file (streamed) against a baseline recorded on the first run, kept in
 * `${stateDir}/baselines/${name}.json` as { path, sha256, size, recordedAt } and written
 * atomically. A change stays critical on every run until the operator, having looked at it,
 * deletes that baseline file; the next run then records the file as it is. The agent never
 * replaces a baseline by itself: an intruder who changed the file must not be able to wait the
 * alert out. A missing file is critical too, and records nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, ensureDir, writeFileAtomic } from '@vigil/shared';
import type { CheckConfig } from '../config/checks-schema.js';
import { type Check, type CheckOutcome, clip } from './check-result.js';

type FileConfig = Extract<CheckConfig, { type: 'file' }>;

export interface Baseline {
  path: string;
  sha256: string;
  size: number;
  recordedAt: string;
}

export function baselinePath(stateDir: string, name: string): string {
  return join(stateDir, 'baselines', `${name}.json`);
}

async function hashFile(path: string, signal: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { signal })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

function isBaseline(value: unknown): value is Baseline {
  const b = value as Partial<Baseline> | null;
  return (
    typeof b?.path === 'string' &&
    typeof b.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(b.sha256) &&
    typeof b.size === 'number' &&
    typeof b.recordedAt === 'string'
  );
}

/** The stored baseline; undefined when there is none; throws a readable reason when it is bad. */
async function readBaseline(file: string): Promise<Baseline | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value: unknown = JSON.parse(text);
  if (!isBaseline(value)) throw new Error('not a baseline record');
  return value;
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;

export function createFileIntegrityCheck(config: FileConfig, stateDir: string, clock: Clock): Check {
  const file = baselinePath(stateDir, config.name);
  const toAccept = `delete baselines/${config.name}.json to accept`;
  return {
    config,
    async run(signal): Promise<CheckOutcome> {
      let baseline: Baseline | undefined;
      try {
        baseline = await readBaseline(file);
      } catch (error) {
        const why = (error as Error).message;
        return {
          status: 'critical',
          summary: clip(`baseline unusable (${why}); delete ${file} to re-record`),
        };
      }
      if (baseline && baseline.path !== config.path) {
        return {
          status: 'critical',
          summary: clip(`baseline is for ${baseline.path}, not ${config.path}; ${toAccept}`),
        };
      }
      let current: { sha256: string; size: number };
      try {
        current = await hashFile(config.path, signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        return { status: 'critical', summary: clip(`${config.path} missing`) };
      }
      const measured = { value: current.size, unit: 'bytes' };
      if (!baseline) {
        const record: Baseline = {
          path: config.path,
          ...current,
          recordedAt: new Date(clock.wallNow()).toISOString(),
        };
        // A new temp name (O_EXCL) and rename: nothing planted in the state folder is written through.
        ensureDir(join(stateDir, 'baselines'), { mode: 0o750 });
        writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o640, fsync: true });
        return {
          status: 'ok',
          summary: clip(`${config.path} baseline recorded (sha256 ${short(current.sha256)})`),
          ...measured,
        };
      }
      if (baseline.sha256 !== current.sha256) {
        return {
          status: 'critical',
          summary: clip(
            `${config.path} changed since baseline recorded at ${baseline.recordedAt}; ${toAccept}`,
          ),
          ...measured,
        };
      }
      return {
        status: 'ok',
        summary: clip(`${config.path} unchanged since ${baseline.recordedAt}`),
        ...measured,
      };
    },
  };
}
