// JSON logs (pino) for every command. Levels are written as words ("info", not 30) because
// operators grep and alert on them; time is ISO-8601 so log pipelines need no special parsing.
import { pino, type DestinationStream, type Logger } from 'pino';
import { usageError } from './errors.js';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface LoggerOptions {
  level?: string;
  /** where lines go; stdout when omitted (tests pass a collecting stream) */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw usageError(`--log-level "${level}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  const settings = {
    level,
    // not `name`: review lines carry the object's name under that key
    base: { app: 'netguard' },
    timestamp: isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return pino(settings, options.destination ?? stdoutDestination());
}

let lastMs = NaN;
let lastTime = '';

/** pino.stdTimeFunctions.isoTime, formatted once a millisecond: under load reviews share it. */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/**
 * stdout through pino's asynchronous writer: a line is written as soon as the previous write is
 * done, and lines logged meanwhile go out together, so under load one write(2) carries several
 * review lines while an idle server's lines still appear at once (no batching delay: operators and
 * tests tail them). pino flushes what is left when the process exits, also on process.exit().
 */
function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}
