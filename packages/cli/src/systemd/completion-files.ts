/** Where `vigil install` puts the shell completion scripts: the places bash and zsh look by themselves. */
import { completionScript } from '../commands/completion.js';

/** In each generated script's first lines: what tells vigil's file from one it must not touch. */
export const COMPLETION_MARK = 'completion for vigil, written by `vigil completion';

export const COMPLETION_FILES = [
  { path: '/usr/share/bash-completion/completions/vigil', script: () => completionScript('bash') },
  { path: '/usr/share/zsh/vendor-completions/_vigil', script: () => completionScript('zsh') },
] as const;
