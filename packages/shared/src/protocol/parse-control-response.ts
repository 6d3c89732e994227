/**
 * The control socket's answer, as the CLI checks it: its own module, so that a CLI request loads
 * this one generated validator and none of the protocol's others.
 */
import { controlResponse } from '../generated/control-response.js';
import { type Parsed, type Validator, validatorOf } from '../schema/validator.js';
import type { ControlResponse } from './control.js';

let validate: Validator<ControlResponse> | undefined;

export function parseControlResponse(value: unknown): Parsed<ControlResponse> {
  validate ??= validatorOf(controlResponse, 'response');
  return validate(value);
}
