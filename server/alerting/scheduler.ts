import "server-only";
import type { Logger } from "../platform/logger";
import type { TickEngine } from "./engine";
import { withSpan } from "../platform/self-tracing";

/**
 * The evaluation loop: one tick per interval, never overlapping itself. A tick that overruns
 * skips the intervals it ate and counts them (`missedTicks`, Prometheus'
 * rule_group_iterations_missed_total). Retries of the outbox run on their own short timer.
 */
export interface SchedulerOptions {
  intervalMs: number;
  dispatchEveryMs?: number;
  now: () => number;
  log: Logger;
  dispatch: (now: number) => Promise<unknown>;
}

export class AlertScheduler {
  missedTicks = 0;
  ticks = 0;
  lastTickMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private dispatchTimer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private dispatching: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly engine: TickEngine,
    private readonly opts: SchedulerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
    this.dispatchTimer = setInterval(() => void this.runDispatch(), this.opts.dispatchEveryMs ?? 1000);
    this.dispatchTimer.unref();
  }

  /** One evaluation plus a dispatch round; returns when both are done. Safe to call directly in tests. */
  async tick(now = this.opts.now()): Promise<void> {
    if (this.ticking) return this.ticking;
    // Self-traced as `alerting.tick` (rules evaluated, transitions, notifications queued).
    this.ticking = withSpan(
      "alerting.tick",
      {},
      async (span) => {
        try {
          const r = await this.engine.evaluate(now);
          this.ticks++;
          span.setAttributes({
            "cartograph.alerting.rules": r.rules,
            "cartograph.alerting.transitions": r.transitions,
            "cartograph.alerting.notifications": r.notifications,
          });
          if (r.transitions) this.opts.log.debug("alert evaluation", r);
        } catch (e) {
          span.fail((e as Error).message);
          this.opts.log.error("alert evaluation failed", { error: (e as Error).message });
        }
        await this.runDispatch(now);
      },
      { root: true },
    ).finally(() => (this.ticking = null));
    return this.ticking;
  }

  async runDispatch(now = this.opts.now()): Promise<void> {
    if (this.dispatching) return this.dispatching;
    this.dispatching = (async () => {
      try {
        // Traced only as part of a tick: the 1-second retry timer alone starts no trace.
        await withSpan("alerting.dispatch", {}, () => this.opts.dispatch(now));
      } catch (e) {
        this.opts.log.error("notification dispatch failed", { error: (e as Error).message });
      }
    })().finally(() => (this.dispatching = null));
    return this.dispatching;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      const start = this.opts.now();
      const t0 = performance.now();
      await this.tick(start);
      const elapsed = this.opts.now() - start;
      this.lastTickMs = performance.now() - t0;
      const interval = this.opts.intervalMs;
      this.missedTicks += Math.floor(elapsed / interval);
      this.schedule(interval - (elapsed % interval));
    }, delay);
    this.timer.unref?.();
  }

  /** Stops the timers and waits for a tick and a delivery round in flight (SIGTERM drains through here). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.dispatchTimer) clearInterval(this.dispatchTimer);
    this.timer = null;
    this.dispatchTimer = null;
    await this.ticking;
    await this.dispatching;
  }
}
