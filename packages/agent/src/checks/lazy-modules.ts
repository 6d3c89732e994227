/**
 * The agent's heavier helpers, loaded only when a check needs them: execa (~100 modules and
 * several MB resident) for command and systemd checks and remediations, ps-list for process
 * checks. The default checks (disk, memory, load) need neither. `preloadFor` runs before a
 * config's checks start, so the load never counts against a check's first timeout.
 */
import type { CheckConfig } from '../config/checks-schema.js';

type Execa = typeof import('execa');
type PsList = typeof import('ps-list');

let execa: Promise<Execa> | undefined;
let psList: Promise<PsList> | undefined;

export function loadExeca(): Promise<Execa> {
  execa ??= import('execa');
  return execa;
}

export function loadPsList(): Promise<PsList> {
  psList ??= import('ps-list');
  return psList;
}

/** Loads what these checks will run with. */
export async function preloadFor(checks: readonly CheckConfig[]): Promise<void> {
  const loads: Promise<unknown>[] = [];
  if (checks.some((c) => c.type === 'command' || c.type === 'systemd' || c.remediate !== undefined)) {
    loads.push(loadExeca());
  }
  if (checks.some((c) => c.type === 'process')) loads.push(loadPsList());
  await Promise.all(loads);
}
