// Capped exponential back-off with jitter, for restarting informers and re-watching: 250 ms,
// 500 ms, 1 s … up to 30 s, each delay drawn from its upper half so that many replicas restarted
// by the same API server outage do not come back in lock-step.
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export class Backoff {
  private attempt = 0;
  readonly initialMs: number;
  readonly maxMs: number;

  constructor(options: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.initialMs = options.initialMs ?? 250;
    this.maxMs = options.maxMs ?? 30_000;
  }

  /** The next delay, growing with each call until reset(). */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}
