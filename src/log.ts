// JSON logs (pino) for every command. Levels are written as words ("info", not 30) because
// operators grep and alert on them; time is ISO-8601 so log pipelines need no special parsing.
import { pino, type DestinationStream, type Logger } from 'pino';
import { usageError } from './errors.js';
import { LOG_LEVELS } from './log-levels.js';

export type { Logger } from 'pino';

export { LOG_LEVELS };

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

const { streamSym, chindingsSym } = pino.symbols;

/**
 * logger[level](fields, msg) for a hot path whose fields come already serialized (`"key":value,...`
 * from a fixed-shape serializer): the same line, through the same destination, without pino's
 * generic walk that checks and escapes every key and value on each call (the review line is the one
 * line on the hot path; bench/README.md). The caller checks `isLevelEnabled(level)` first, before
 * it serializes anything.
 */
export function writeLine(logger: Logger, level: 'info' | 'debug', fields: string, msg: string): void {
  const internals = logger as unknown as Record<symbol, unknown>;
  const destination = internals[streamSym] as DestinationStream;
  destination.write(`{"level":"${level}"${isoTime()}${internals[chindingsSym] as string},${fields},"msg":${JSON.stringify(msg)}}\n`);
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
 * stdout through pino's asynchronous writer (sonic-boom), handed the lines of one turn of the event
 * loop as one string at the end of that turn. Under load a turn answers many reviews, and sonic-boom
 * re-measures its whole pending buffer on every write, so a turn's lines cost it one write (a small
 * saving, bench/README.md). Lines still go out within the turn that logged them (no timer, nothing
 * held back on an idle server) and in the order they were logged.
 */
function stdoutDestination(): DestinationStream {
  // one per process: every logger's lines share the order they were logged in
  stdout ??= new TurnBatchedDestination(pino.destination({ dest: 1, sync: false }));
  return stdout;
}

let stdout: TurnBatchedDestination | undefined;

class TurnBatchedDestination implements DestinationStream {
  private pending = '';
  private scheduled = false;

  constructor(private readonly target: ReturnType<typeof pino.destination>) {
    // pino flushes its own destination at exit; the lines of the last turn are this one's to flush
    process.once('exit', () => this.flushSync());
  }

  write(line: string): void {
    this.pending += line;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  /** pino calls this before a fatal line's process exit */
  flushSync(): void {
    this.flush();
    this.target.flushSync();
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending === '') return;
    this.target.write(this.pending);
    this.pending = '';
  };
}
