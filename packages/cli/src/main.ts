/**
 * The `vigil` command line. Commands are loaded on demand, so `vigil run` (the daemon) never
 * loads what only the operator commands need.
 */
import { parseArgs } from 'node:util';
import { describeOsError, isOsError, isVigilError, printable } from '@vigil/shared/core';
import { COMMAND_TABLE, type CommandName } from './command-table.js';
import { closest } from './did-you-mean.js';
import { CliExit, EXIT } from './exit-codes.js';
import { CLI_VERSION } from './version.js';

const HELP = `vigil — a self-healing watchdog and agent pair for Linux hosts

Usage: vigil COMMAND [options]

Commands:
  run [--config FILE]              run the watchdog in the foreground (embedded: it starts the agent)
  start [--config FILE]            the same in the background; returns once the agent is healthy
  stop                             stop the watchdog of this home and its agent gracefully, and wait
  restart [--config FILE]          stop, then start in the background, on the same home
  status [--json] [-n N] [--watch] state of both processes and each check, the agent's last log lines
                                   (exit 0 healthy, 1 degraded, 2 failed, 3 unreachable)
  top                              a live view: status --watch
  history [--json] [-n N]          incident timelines
  why                              one paragraph: what happened last, what the watchdog does next
  logs [-f] [-n N] [--level L]     both logs merged in time order (--unit, --since, --incident, --json)
  recover soft|medium|hard         run one recovery rung now (--wait: for its outcome; --restore: undo medium)
  pause [--for 30m] / resume       maintenance: hold recovery, alerts and remediation
  chaos FAULT [options]            inject a fault into the agent (when enabled in the config)
  config validate [FILE]           check a config file; every problem as "path: problem"
  install [--root DIR] [--dry-run] install and enable both systemd units (needs root; --help for options)
  uninstall [--purge]              reverse install (keeps /etc/vigil and /var/lib/vigil unless --purge)
  completion bash|zsh              a shell completion script for vigil

Run \`vigil COMMAND --help\` for a command's options, signals and exit codes.

Options:
  -h, --help     this text
  -V, --version  the version of vigil

Environment:
  VIGIL_HOME    embedded mode's directory (default: the .vigil folder of the checkout vigil
                runs from, else $XDG_STATE_HOME/vigil, else ~/.local/state/vigil)
  VIGIL_CONFIG  config file (default $VIGIL_HOME/vigil.yaml if present, else built-in defaults)
  VIGIL_MODE    "systemd" under the installed units
  NO_COLOR      no colour in the output

Exit codes: 0 ok, 1 refused or failed, 2 (status) failed, 3 watchdog unreachable, 64 usage, 70 internal error.`;

type Command = (argv: string[]) => Promise<number>;

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;
const options = (name: CommandName): OptionSpec => COMMAND_TABLE[name].options;
interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** The usage error for an unknown option, with the one option that was probably meant. */
function unknownOption(error: Error, options: OptionSpec, command: string, helpText: string): CliExit | null {
  if ((error as NodeJS.ErrnoException).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return null;
  const typed = /Unknown option '([^']+)'/.exec(error.message)?.[1];
  if (!typed) return null;
  // Only long options get a guess: one letter is too little to tell a typo from another option.
  const guess = typed.startsWith('--')
    ? closest(typed.slice(2).split('=')[0] ?? '', Object.keys(options))
    : null;
  return guess === null
    ? new CliExit(EXIT.usage, `vigil ${command}: unknown option ${typed}\n\n${helpText}`)
    : new CliExit(
        EXIT.usage,
        `vigil ${command}: unknown option ${typed}; did you mean --${guess}?\n  hint: \`vigil ${command} --help\` lists the options`,
      );
}

function parse(argv: string[], options: OptionSpec, helpText: string, command: string): Parsed {
  const known: OptionSpec = { ...options, help: { type: 'boolean', short: 'h' } };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: known,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    throw (
      unknownOption(error as Error, known, command, helpText) ??
      new CliExit(EXIT.usage, `vigil ${command}: ${(error as Error).message}\n\n${helpText}`)
    );
  }
}

function wantsHelp(values: Record<string, unknown>, text: string): boolean {
  if (!values.help) return false;
  process.stdout.write(`${text}\n`);
  return true;
}

const COMMANDS: Record<CommandName, Command> = {
  async run(argv) {
    const m = await import('./commands/run.js');
    const { values } = parse(argv, options('run'), m.help, 'run');
    if (wantsHelp(values, m.help)) return 0;
    return m.run({ config: values.config as string | undefined });
  },
  async start(argv) {
    const m = await import('./commands/start.js');
    const { values } = parse(argv, options('start'), m.help, 'start');
    if (wantsHelp(values, m.help)) return 0;
    return m.start({
      config: values.config as string | undefined,
      timeout: values.timeout as string | undefined,
    });
  },
  async stop(argv) {
    const m = await import('./commands/stop.js');
    const { values } = parse(argv, options('stop'), m.stopHelp, 'stop');
    if (wantsHelp(values, m.stopHelp)) return 0;
    return m.stop({ timeout: values.timeout as string | undefined });
  },
  async restart(argv) {
    const m = await import('./commands/stop.js');
    const { values } = parse(argv, options('restart'), m.restartHelp, 'restart');
    if (wantsHelp(values, m.restartHelp)) return 0;
    return m.restart({
      config: values.config as string | undefined,
      timeout: values.timeout as string | undefined,
    });
  },
  async status(argv) {
    const m = await import('./commands/status.js');
    const { values } = parse(argv, options('status'), m.help, 'status');
    if (wantsHelp(values, m.help)) return 0;
    return m.status({
      json: Boolean(values.json),
      lines: values.lines as string | undefined,
      watch: Boolean(values.watch),
    });
  },
  async top(argv) {
    const m = await import('./commands/status.js');
    const { values } = parse(argv, options('top'), m.help, 'top');
    if (wantsHelp(values, m.help)) return 0;
    return m.status({ json: false, lines: undefined, watch: true });
  },
  async history(argv) {
    const m = await import('./commands/history.js');
    const { values } = parse(argv, options('history'), m.help, 'history');
    if (wantsHelp(values, m.help)) return 0;
    const n = values.n === undefined ? 20 : Number(values.n);
    if (!Number.isInteger(n) || n < 1)
      throw new CliExit(
        EXIT.usage,
        `vigil history: -n wants a positive whole number, got ${JSON.stringify(values.n)}`,
      );
    return m.history({ json: Boolean(values.json), n });
  },
  async logs(argv) {
    const m = await import('./commands/logs.js');
    const { values, positionals } = parse(argv, options('logs'), m.help, 'logs');
    if (wantsHelp(values, m.help)) return 0;
    return m.logs(values, positionals);
  },
  async config(argv) {
    const m = await import('./commands/config.js');
    const { values, positionals } = parse(argv, options('config'), m.help, 'config');
    if (wantsHelp(values, m.help)) return 0;
    return m.config(positionals);
  },
  async why(argv) {
    const m = await import('./commands/why.js');
    const { values } = parse(argv, options('why'), m.help, 'why');
    if (wantsHelp(values, m.help)) return 0;
    return m.why();
  },
  async recover(argv) {
    const m = await import('./commands/operate.js');
    const { values, positionals } = parse(argv, options('recover'), m.recoverHelp, 'recover');
    if (wantsHelp(values, m.recoverHelp)) return 0;
    return m.recover({
      level: positionals[0],
      restore: Boolean(values.restore),
      wait: Boolean(values.wait),
      timeout: values.timeout as string | undefined,
    });
  },
  async pause(argv) {
    const m = await import('./commands/operate.js');
    const { values } = parse(argv, options('pause'), m.pauseHelp, 'pause');
    if (wantsHelp(values, m.pauseHelp)) return 0;
    return m.pause({ for: values.for as string | undefined });
  },
  async resume(argv) {
    const m = await import('./commands/operate.js');
    const { values } = parse(argv, options('resume'), m.pauseHelp, 'resume');
    if (wantsHelp(values, m.pauseHelp)) return 0;
    return m.resume();
  },
  async chaos(argv) {
    const m = await import('./commands/operate.js');
    const { values, positionals } = parse(argv, options('chaos'), m.chaosHelp, 'chaos');
    if (wantsHelp(values, m.chaosHelp)) return 0;
    return m.chaos({
      fault: positionals[0],
      seconds: values.seconds as string | undefined,
      mbPerSec: values['mb-per-sec'] as string | undefined,
      exitCode: values['exit-code'] as string | undefined,
      intervalMs: values['interval-ms'] as string | undefined,
    });
  },
  async install(argv) {
    const m = await import('./commands/install.js');
    const { values } = parse(argv, options('install'), m.installHelp, 'install');
    if (wantsHelp(values, m.installHelp)) return 0;
    return m.install({
      root: values.root as string | undefined,
      prefix: values.prefix as string | undefined,
      user: values.user as string | undefined,
      dryRun: Boolean(values['dry-run']),
      force: Boolean(values.force),
    });
  },
  async uninstall(argv) {
    const m = await import('./commands/install.js');
    const { values } = parse(argv, options('uninstall'), m.uninstallHelp, 'uninstall');
    if (wantsHelp(values, m.uninstallHelp)) return 0;
    return m.uninstall({
      root: values.root as string | undefined,
      purge: Boolean(values.purge),
      dryRun: Boolean(values['dry-run']),
    });
  },
  async completion(argv) {
    const m = await import('./commands/completion.js');
    const { values, positionals } = parse(argv, options('completion'), m.help, 'completion');
    if (wantsHelp(values, m.help)) return 0;
    return m.completion(positionals);
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : EXIT.usage;
  }
  // -v is kept for the scripts that used it before -V was the documented spelling.
  if (name === '--version' || name === '-V' || name === '-v') {
    process.stdout.write(`${CLI_VERSION}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name as CommandName] : undefined;
  if (!command) {
    const known = name.startsWith('-') ? ['--help', '--version'] : Object.keys(COMMANDS);
    const guess = closest(name, known);
    const what = name.startsWith('-') ? 'option' : 'command';
    process.stderr.write(
      guess === null
        ? `vigil: unknown ${what} ${JSON.stringify(printable(name))}\n\n${HELP}\n`
        : `vigil: unknown ${what} ${JSON.stringify(printable(name))}; did you mean "${guess}"?\n  hint: \`vigil --help\` lists the commands and options\n`,
    );
    return EXIT.usage;
  }
  // `vigil status | head -1` closes the pipe early: the reader is done, that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
  });
  // A closed stderr leaves nowhere to complain to; the exit code still tells.
  process.stderr.on('error', () => {});
  try {
    return await command(rest);
  } catch (error) {
    // Messages carry text from the agent and from files: no control character reaches the terminal.
    const say = (text: string) => process.stderr.write(`${printable(text, { newlines: true })}\n`);
    if (error instanceof CliExit) {
      if (error.message) say(error.message);
      return error.code;
    }
    if (isVigilError(error)) {
      say(`vigil ${name}: ${error.toDisplayString()}`);
      return EXIT.warning;
    }
    if (isOsError(error)) {
      say(`vigil ${name}: ${describeOsError(error, { home: process.env.VIGIL_HOME ?? null })}`);
      return EXIT.warning;
    }
    say(`vigil ${name}: internal error: ${(error as Error).stack ?? String(error)}`);
    return EXIT.internal;
  }
}
