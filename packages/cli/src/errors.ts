/** The codes of the vigil CLI (see docs/errors.md); what it prints ends in an exit code of EXIT. */
import { defineErrors } from '@vigil/shared/core';

export const cliErrors = defineErrors({
  VIGIL_WATCHDOG_UNREACHABLE: {
    hint: 'Start the pair with `vigil run` (or `systemctl start vigil-watchdog`); `vigil status` still shows the last state written.',
  },
  VIGIL_INSTALL_PATH_UNSAFE: {
    hint: 'Make each path named writable by root alone (`chmod go-w PATH`, `chown root PATH`), or install a copy under /opt; nothing was written.',
  },
  VIGIL_USAGE: {
    hint: 'Run `vigil --help` or `vigil COMMAND --help` for the usage.',
  },
});
