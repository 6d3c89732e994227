/**
 * Where the bundled vigil-agent is when the command that runs the watchdog does not say: the
 * package beside this one, as the workspace (packages/watchdog, packages/agent) and an npm
 * install (node_modules/@vigil/watchdog, node_modules/@vigil/agent) both lay them out. Found by
 * path, never imported: the watchdog does not depend on the agent package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The agent's program, or null when no @vigil/agent sits beside the package of `moduleUrl`. */
export function findBundledAgent(moduleUrl: string = import.meta.url): string | null {
  // This file is <package>/dist/launcher/bundled-agent.js.
  const beside = new URL('../../../agent/', moduleUrl);
  try {
    const manifest = JSON.parse(readFileSync(new URL('package.json', beside), 'utf8')) as { name?: unknown };
    if (manifest.name !== '@vigil/agent') return null;
  } catch {
    return null;
  }
  const program = fileURLToPath(new URL('dist/bin/vigil-agent.js', beside));
  return existsSync(program) ? program : null;
}
