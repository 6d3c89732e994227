/** Runs one program (never through a shell) for the installer; tests substitute a recorder. */
import { execa } from 'execa';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type RunCommand = (file: string, args: string[]) => Promise<CommandResult>;

export const runCommand: RunCommand = async (file, args) => {
  const result = await execa(file, args, { reject: false, stdin: 'ignore', timeout: 120_000 });
  return {
    // No exit code: the program could not be run at all (not installed), like a shell's 127.
    exitCode: result.exitCode ?? 127,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr || (result.exitCode === undefined ? result.shortMessage : '') || ''),
  };
};

/** `file arg…` as an operator would type it, for log lines and error messages. */
export function commandLine(file: string, args: string[]): string {
  return [file, ...args]
    .map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word)))
    .join(' ');
}
