import { readFileSync } from 'node:fs';

/** The `version` of the package.json at `manifest`, read once by each package at load. */
export function packageVersion(manifest: URL): string {
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
