/**
 * Every `vigil` command with its options and the words it takes: the parser in main.ts reads
 * its options from here, and `vigil completion` writes its scripts from here, so the two
 * cannot drift apart.
 */
import { FAULT_NAMES } from '@vigil/shared/core';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface CommandEntry {
  options: OptionSpec;
  /** The words its first argument may be (completion offers them). */
  words?: readonly string[];
  /** Its first argument is a file. */
  file?: boolean;
}

const config = { type: 'string', short: 'c' } as const;
const timeout = { type: 'string' } as const;

export const COMMAND_TABLE = {
  run: { options: { config } },
  start: { options: { config, timeout } },
  stop: { options: { timeout } },
  restart: { options: { config, timeout } },
  status: {
    options: {
      json: { type: 'boolean' },
      lines: { type: 'string', short: 'n' },
      watch: { type: 'boolean', short: 'w' },
    },
  },
  top: { options: {} },
  history: { options: { json: { type: 'boolean' }, n: { type: 'string', short: 'n' } } },
  why: { options: {} },
  logs: {
    options: {
      follow: { type: 'boolean', short: 'f' },
      lines: { type: 'string', short: 'n' },
      level: { type: 'string' },
      unit: { type: 'string' },
      since: { type: 'string' },
      incident: { type: 'string' },
      json: { type: 'boolean' },
    },
  },
  recover: {
    options: { restore: { type: 'boolean' }, wait: { type: 'boolean' }, timeout },
    words: ['soft', 'medium', 'hard'],
  },
  pause: { options: { for: { type: 'string' } } },
  resume: { options: {} },
  chaos: {
    options: {
      seconds: { type: 'string' },
      'mb-per-sec': { type: 'string' },
      'exit-code': { type: 'string' },
      'interval-ms': { type: 'string' },
    },
    words: [...FAULT_NAMES],
  },
  config: { options: {}, words: ['validate'] },
  install: {
    options: {
      root: { type: 'string' },
      prefix: { type: 'string' },
      user: { type: 'string' },
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
    },
  },
  uninstall: {
    options: { root: { type: 'string' }, purge: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  },
  completion: { options: {}, words: ['bash', 'zsh'] },
} as const satisfies Record<string, CommandEntry>;

export type CommandName = keyof typeof COMMAND_TABLE;
