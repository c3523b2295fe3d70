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
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
