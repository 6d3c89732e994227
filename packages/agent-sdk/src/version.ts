import { packageVersion } from '@vigil/shared';

/** The @vigil/agent-sdk version (its package.json is one directory above dist/). */
export const SDK_VERSION: string = packageVersion(new URL('../package.json', import.meta.url));
