import { packageVersion } from '@vigil/shared/core';

/** The CLI's version (its package.json is one directory above dist/). */
export const CLI_VERSION: string = packageVersion(new URL('../package.json', import.meta.url));
