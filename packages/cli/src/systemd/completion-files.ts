/** Where `vigil install` puts the shell completion scripts: the places bash and zsh look by themselves. */
import { completionScript } from '../commands/completion.js';

export const COMPLETION_FILES = [
  { path: '/usr/share/bash-completion/completions/vigil', script: () => completionScript('bash') },
  { path: '/usr/share/zsh/vendor-completions/_vigil', script: () => completionScript('zsh') },
] as const;
