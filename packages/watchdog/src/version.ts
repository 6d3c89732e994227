import { packageVersion } from '@vigil/shared';

/** The watchdog's version (its package.json is one directory above dist/). */
export const WATCHDOG_VERSION: string = packageVersion(new URL('../package.json', import.meta.url));
