/** The codes of the vigil CLI (see docs/errors.md); what it prints ends in an exit code of EXIT. */
import { defineErrors } from '@vigil/shared/core';

export const cliErrors = defineErrors({
  VIGIL_WATCHDOG_UNREACHABLE: {
    hint: 'Start the pair with `vigil run` (or `systemctl start vigil-watchdog`); `vigil status` still shows the last state written.',
  },
  VIGIL_USAGE: {
    hint: 'Run `vigil --help` or `vigil COMMAND --help` for the usage.',
  },
});
