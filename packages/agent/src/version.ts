import { packageVersion } from '@vigil/shared';

/** The @vigil/agent version (its package.json is one directory above dist/). */
export const AGENT_VERSION: string = packageVersion(new URL('../package.json', import.meta.url));
