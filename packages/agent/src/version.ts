import { readFileSync } from 'node:fs';

/** The @vigil/agent version, read once from its package.json (one directory above dist/). */
export const AGENT_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
