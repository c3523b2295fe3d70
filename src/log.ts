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
 * stdout through pino's asynchronous writer (sonic-boom), handed lines in batches. Each write to it
 * is a round trip through libuv's thread pool (the write, then its completion back on the event
 * loop), and sonic-boom re-measures its whole pending buffer on every write; one write per review
 * at saturation cost more CPU than the rest of the log line (bench/README.md). So a line logged
 * after a quiet spell goes out at the end of its event-loop turn, and lines logged within
 * WRITE_INTERVAL_MS of the last write wait for the next one: at most ~100 writes a second however
 * busy the server is, no line held back longer than that, and every line in the order logged.
 */
function stdoutDestination(): DestinationStream {
  // one per process: every logger's lines share the order they were logged in
  stdout ??= new CoalescingDestination(pino.destination({ dest: 1, sync: false }));
  return stdout;
}

let stdout: CoalescingDestination | undefined;

const WRITE_INTERVAL_MS = 10;

class CoalescingDestination implements DestinationStream {
  private pending = '';
  private scheduled = false;
  private lastWrite = 0;

  constructor(private readonly target: ReturnType<typeof pino.destination>) {
    // pino flushes its own destination at exit; the lines still pending here are this one's to flush
    process.once('exit', () => this.flushSync());
  }

  write(line: string): void {
    this.pending += line;
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastWrite + WRITE_INTERVAL_MS - performance.now();
    // unref: pending lines never keep a finished command alive (the exit handler writes them)
    if (wait > 0) setTimeout(this.flush, wait).unref();
    else setImmediate(this.flush);
  }

  /** pino calls this before a fatal line's process exit */
  flushSync(): void {
    this.flush();
    this.target.flushSync();
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending === '') return;
    this.lastWrite = performance.now();
    this.target.write(this.pending);
    this.pending = '';
  };
}
