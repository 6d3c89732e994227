/** Incident ids an operator can read and type: the UTC time it opened and four random hex digits. */
import { randomBytes } from 'node:crypto';

export function newIncidentId(wallMs = Date.now()): string {
  const stamp = new Date(wallMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}
