/**
 * `vigil completion bash|zsh`: completion scripts written from the command table the parser
 * uses, so a new command or option completes the day it exists.
 */

import { COMMAND_TABLE, type CommandEntry } from '../command-table.js';
import { closest } from '../did-you-mean.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { LEVELS } from '../logs/filters.js';
import { UNITS } from '../logs/log-record.js';

export const help = `Usage: vigil completion bash|zsh

Prints a shell completion script for vigil on stdout. scripts/install.sh installs both
(/usr/share/bash-completion/completions/vigil, /usr/share/zsh/vendor-completions/_vigil);
to try one in the shell you are in: source <(vigil completion bash).

Exit codes: 0 printed, 64 no or unknown shell.`;

const SHELLS = ['bash', 'zsh'] as const;
type Shell = (typeof SHELLS)[number];

/** Options whose value is one of a few words, or a file. */
const VALUE_WORDS: Record<string, readonly string[]> = {
  unit: UNITS,
  level: Object.keys(LEVELS),
};
const FILE_VALUES = new Set(['config']);

const entries = (): [string, CommandEntry][] => Object.entries(COMMAND_TABLE);

function flags(entry: CommandEntry): string[] {
  const out: string[] = [];
  for (const [name, spec] of Object.entries(entry.options)) {
    out.push(`--${name}`);
    if (spec.short) out.push(`-${spec.short}`);
  }
  out.push('--help', '-h');
  return out;
}

/** Option names (long and short) that take a value. */
function valued(entry: CommandEntry): string[] {
  const out: string[] = [];
  for (const [name, spec] of Object.entries(entry.options)) {
    if (spec.type !== 'string') continue;
    out.push(`--${name}`);
    if (spec.short) out.push(`-${spec.short}`);
  }
  return out;
}

function bashScript(): string {
  const names = entries().map(([name]) => name);
  const cases = entries()
    .map(([name, entry]) => {
      const words = (entry.words ?? []).join(' ');
      const takes = valued(entry).join('|');
      return `    ${name}) opts="${flags(entry).join(' ')}"; words="${words}"; takes="${takes}" ;;`;
    })
    .join('\n');
  const values = Object.entries(VALUE_WORDS)
    .map(
      ([name, words]) => `    --${name}) COMPREPLY=($(compgen -W "${words.join(' ')}" -- "$cur")); return ;;`,
    )
    .join('\n');
  const files = [...FILE_VALUES].map((name) => `--${name}|-${name[0]}`).join('|');
  return `# bash completion for vigil, written by \`vigil completion bash\`
_vigil() {
  local cur prev cmd opts words takes
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${names.join(' ')} --help --version" -- "$cur"))
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$cmd" in
${cases}
    *) return ;;
  esac
  case "$prev" in
${values}
    ${files}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [ -n "$takes" ] && [[ "|$takes|" == *"|$prev|"* ]]; then return; fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ "$COMP_CWORD" -eq 2 ] && [ -n "$words" ]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  elif [ "$cmd" = config ] && [ "$COMP_CWORD" -eq 3 ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _vigil vigil
`;
}

function zshArgument(name: string, spec: { type: string; short?: string }): string[] {
  const value = FILE_VALUES.has(name)
    ? ':file:_files'
    : VALUE_WORDS[name]
      ? `:${name}:(${VALUE_WORDS[name].join(' ')})`
      : spec.type === 'string'
        ? `:${name}:`
        : '';
  const out = [`'--${name}[${name}]${value}'`];
  if (spec.short) out.push(`'-${spec.short}[${name}]${value}'`);
  return out;
}

function zshScript(): string {
  const names = entries().map(([name]) => name);
  const cases = entries()
    .map(([name, entry]) => {
      const args = Object.entries(entry.options).flatMap(([option, spec]) => zshArgument(option, spec));
      args.push("'--help[usage]'");
      if (entry.words?.length) args.push(`'1:word:(${entry.words.join(' ')})'`);
      if (name === 'config') args.push("'2:file:_files'");
      return `    ${name}) _arguments ${args.join(' ')} ;;`;
    })
    .join('\n');
  return `#compdef vigil
# zsh completion for vigil, written by \`vigil completion zsh\`
_vigil() {
  if (( CURRENT == 2 )); then
    compadd -- ${names.join(' ')} --help --version
    return
  fi
  local cmd=$words[2]
  shift words
  (( CURRENT-- ))
  case $cmd in
${cases}
  esac
}
_vigil "$@"
`;
}

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? bashScript() : zshScript();
}

export async function completion(positionals: readonly string[]): Promise<number> {
  const [shell, ...extra] = positionals;
  if (!shell || extra.length > 0 || !SHELLS.includes(shell as Shell)) {
    const guess = shell ? closest(shell, SHELLS) : null;
    throw new CliExit(
      EXIT.usage,
      `vigil completion: expected bash or zsh, got ${JSON.stringify(positionals.join(' '))}${guess ? `; did you mean "${guess}"?` : ''}\n\n${help}`,
    );
  }
  process.stdout.write(completionScript(shell as Shell));
  return EXIT.ok;
}
