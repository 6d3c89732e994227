/**
 * `vigil status --watch` / `vigil top`: the live view. It asks the watchdog for its status a
 * few times a second, draws a frame on the alternate screen only when the frame changed, and
 * gives the terminal back as it found it (main screen, cursor, cooked mode) on q, Ctrl-C,
 * SIGINT, SIGTERM, SIGHUP or an error.
 */
import { cliPaths, requestStatus, Unreachable, unreachableMessage } from './client.js';
import { CliExit, EXIT } from './exit-codes.js';
import { useColor } from './format.js';
import { type LiveInput, renderFrame } from './live-frame.js';

const POLL_MS = 500;
const ENTER = '\u001b[?1049h\u001b[?25l';
const LEAVE = '\u001b[?25h\u001b[?1049l';
const HOME_CLEAR = '\u001b[H\u001b[2J';

/** Writes a frame only when it differs from the last one drawn. */
export class FrameWriter {
  readonly #write: (text: string) => void;
  #last: string | null = null;
  draws = 0;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  show(frame: string): void {
    if (frame === this.#last) return;
    this.#last = frame;
    this.draws += 1;
    this.#write(`${HOME_CLEAR}${frame.replaceAll('\n', '\r\n')}`);
  }

  /** The next show draws even an unchanged frame (after a resize). */
  invalidate(): void {
    this.#last = null;
  }
}

async function look(): Promise<LiveInput> {
  const paths = cliPaths();
  try {
    return { snapshot: await requestStatus(paths) };
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
    return { unreachable: unreachableMessage(paths, error.message).split('\n')[0] ?? 'unreachable' };
  }
}

export function watchStatus(): Promise<number> {
  const out = process.stdout;
  const input = process.stdin;
  if (!out.isTTY) {
    throw new CliExit(
      EXIT.usage,
      'vigil top: the live view needs a terminal; for a script use `vigil status --json` in a loop',
    );
  }
  const color = useColor();
  const writer = new FrameWriter((text) => out.write(text));
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const restore = (): void => {
      if (input.isTTY) input.setRawMode(false);
      out.write(LEAVE);
    };
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
      process.off('exit', restore);
      out.off('resize', onResize);
      input.off('data', onKey);
      input.pause();
      restore();
      resolve(code);
    };
    const onSignal = (): void => finish(EXIT.ok);
    const onResize = (): void => {
      writer.invalidate();
      void tick();
    };
    const onKey = (data: Buffer): void => {
      const key = data.toString('utf8');
      // Raw mode turns Ctrl-C into a byte, not a signal.
      if (key === 'q' || key === 'Q' || key === '\u0003' || key === '\u0004') finish(EXIT.ok);
    };
    const tick = async (): Promise<void> => {
      try {
        const frame = renderFrame(await look(), { color, width: out.columns ?? 100 });
        if (!finished) writer.show(frame);
      } catch (error) {
        finish(EXIT.warning);
        process.stderr.write(`vigil top: ${(error as Error).message}\n`);
        return;
      }
      if (!finished) timer = setTimeout(() => void tick(), POLL_MS);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
    // A crash in between still gives the terminal back.
    process.on('exit', restore);
    out.on('resize', onResize);
    out.write(ENTER);
    if (input.isTTY) input.setRawMode(true);
    input.on('data', onKey);
    input.resume();
    void tick();
  });
}
