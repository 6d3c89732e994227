/** A history answer checked before any renderer sees it (its validator apart: `vigil status` never needs it). */
import { incident } from '../generated/incident.js';
import type { Incident } from '../protocol/incident.js';
import { type Validator, validatorOf } from '../schema/validator.js';
import { type Checked, summarise } from './read-status.js';

let validateIncident: Validator<Incident> | undefined;

/** A list of incidents (a history answer), or what is wrong with it. */
export function checkIncidents(value: unknown): Checked<Incident[]> {
  if (!Array.isArray(value)) return { ok: false, reason: 'not a list of incidents' };
  validateIncident ??= validatorOf(incident);
  for (const [index, item] of value.entries()) {
    const parsed = validateIncident(item);
    if (!parsed.ok) return { ok: false, reason: `incident [${index}]: ${summarise(parsed.errors)}` };
  }
  return { ok: true, value: value as Incident[] };
}
