/**
 * vigil's error base and the registry of the codes raised by @vigil/shared.
 *
 * Every error vigil raises carries a stable `code` (`VIGIL_…`) that scripts can match on, a
 * `hint` that tells a tired operator what to do next, and the underlying `cause` when there is
 * one. Codes are never reused once retired; `docs/errors.md` documents every code and a test
 * keeps the two in step.
 */

export interface VigilErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
  /** Extra structured detail, logged with the error (e.g. the offending path). */
  detail?: Record<string, unknown> | undefined;
}

export class VigilError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly detail: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: VigilErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.hint = options.hint;
    this.detail = options.detail;
  }

  /** A one-paragraph rendering for terminals: message, then the hint on its own line. */
  toDisplayString(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, detail: this.detail };
  }
}

export interface ErrorDefinition {
  /** Default hint, used when the raise site does not give a more specific one. */
  readonly hint: string;
}

/**
 * Declares a package's codes in one place and returns a typed factory for them, so a raise site
 * cannot invent a code that is not registered.
 */
export function defineErrors<const T extends Record<`VIGIL_${string}`, ErrorDefinition>>(
  registry: T,
): {
  readonly codes: T;
  create(code: keyof T & string, message: string, options?: VigilErrorOptions): VigilError;
} {
  return {
    codes: registry,
    create(code, message, options = {}) {
      return new VigilError(code, message, {
        ...options,
        hint: options.hint ?? (registry[code] as ErrorDefinition | undefined)?.hint,
      });
    },
  };
}

export const sharedErrors = defineErrors({
  VIGIL_CONFIG_NOT_FOUND: {
    hint: 'Check the path given with --config, or unset it to run with the built-in defaults.',
  },
  VIGIL_CONFIG_UNREADABLE: {
    hint: 'Check the file permissions: the service user must be able to read the config file.',
  },
  VIGIL_CONFIG_PARSE: {
    hint: 'Fix the syntax at the line shown; `vigil config validate FILE` re-checks it.',
  },
  VIGIL_CONFIG_EMPTY: {
    hint: 'An empty file is refused so a half-written file never resets the running config; delete it to use the defaults.',
  },
  VIGIL_CONFIG_INVALID: {
    hint: 'Fix each path listed; `vigil config validate FILE` re-checks the file without touching the running pair.',
  },
  VIGIL_FRAME_TOO_LARGE: {
    hint: 'A peer sent a line over the frame limit; it was disconnected. Check what is writing to the socket.',
  },
  VIGIL_FRAME_INVALID_JSON: {
    hint: 'A peer sent a line that is not JSON; only vigil agents and the vigil CLI should talk to this socket.',
  },
  VIGIL_MESSAGE_INVALID: {
    hint: 'A peer sent a message that does not match the protocol schema; check that the agent and watchdog versions match.',
  },
  VIGIL_PROTOCOL_VERSION: {
    hint: 'The agent and the watchdog speak different protocol versions; install the same vigil version for both.',
  },
  VIGIL_SOCKET_IN_USE: {
    hint: 'Another vigil process is already serving this runtime directory; stop it first, or point VIGIL_HOME elsewhere.',
  },
  VIGIL_SOCKET_PATH_TOO_LONG: {
    hint: 'Unix socket paths are limited to 107 bytes; choose a shorter VIGIL_HOME.',
  },
  VIGIL_SOCKET_NOT_SOCKET: {
    hint: 'A file that is not a socket sits where vigil wants its socket; move it away.',
  },
  VIGIL_CONNECT_FAILED: {
    hint: 'Is the watchdog running? Start it with `vigil run`, or check `vigil status`.',
  },
  VIGIL_REQUEST_TIMEOUT: {
    hint: 'The peer accepted the connection but did not answer in time; it may be overloaded or hung.',
  },
  VIGIL_PATH_UNSAFE: {
    hint: 'vigil never writes through a link or into a folder it does not own; remove what is at the path and vigil recreates it.',
  },
  VIGIL_HOME_UNSAFE: {
    hint: 'Another user could aim vigil at files it does not own; fix the ownership and modes named, then start again.',
  },
});

export function isVigilError(value: unknown, code?: string): value is VigilError {
  return value instanceof VigilError && (code === undefined || value.code === code);
}

/** "CODE: message" for vigil's own errors, so the code reaches the operator through a result line. */
export function describeError(error: unknown): string {
  if (isVigilError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
