import "server-only";
import type { Span } from "../normalize";

/** The name new services, operations and environments take once their limit is reached. */
export const OVERFLOW_NAME = "(overflow)";

export interface CardinalityLimits {
  /** Distinct service names the aggregates keep (fleet-wide, all environments). */
  maxServices: number;
  /** Distinct operation names per service. */
  maxOperationsPerService: number;
  /** Distinct operation names over all services (bounds the guard's own memory). */
  maxOperations: number;
  /** Distinct deployment environments. */
  maxEnvironments: number;
}

export interface CardinalityStats {
  /** Spans whose service, operation or environment was folded, by what was folded. */
  foldedSpans: { service: number; operation: number; environment: number };
  knownServices: number;
  knownOperations: number;
  knownEnvironments: number;
}

/**
 * Keeps the aggregates (RED rollups, the service graph, the service catalog) bounded
 * whatever names senders invent: a service, operation or environment name first seen after
 * its limit is reached is aggregated under `OVERFLOW_NAME` instead of getting rows, nodes and
 * series of its own. Names already known (seen by this process or seeded from the store at
 * start) keep working. Only the aggregate view is folded: stored spans keep their real names,
 * so trace search and trace detail still find them. A folded service's operations fold too.
 */
export class CardinalityGuard {
  private readonly services = new Map<string, Set<string>>();
  private readonly environments = new Set<string>();
  private operations = 0;
  private readonly folded = { service: 0, operation: 0, environment: 0 };

  constructor(private readonly limits: CardinalityLimits) {}

  /**
   * Admits names already in the store, in the order given (most recently seen first), within
   * the limits: what the store held beyond them stays folded, and its overflow rows take no slot.
   */
  seed(entries: readonly { service: string; environment?: string | null; operations?: readonly string[] }[]): void {
    // The store also holds what was folded before (OVERFLOW_NAME rows): never a name to admit.
    for (const e of entries) {
      if (e.environment && e.environment !== OVERFLOW_NAME) this.admitEnvironment(e.environment);
      const ops = e.service === OVERFLOW_NAME ? null : this.operationsOf(e.service);
      if (ops) for (const op of e.operations ?? []) if (op !== OVERFLOW_NAME) this.admitOperation(ops, op);
    }
  }

  /**
   * The spans as the aggregates should see them: the same array when nothing needed folding,
   * else a copy where folded spans are shallow copies with the overflow names.
   */
  fold(spans: readonly Span[]): readonly Span[] {
    let out: Span[] | null = null;
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i];
      const folded = this.foldOne(s);
      if (folded === s && out === null) continue;
      out ??= spans.slice(0, i);
      out.push(folded);
    }
    return out ?? spans;
  }

  stats(): CardinalityStats {
    return {
      foldedSpans: { ...this.folded },
      knownServices: this.services.size,
      knownOperations: this.operations,
      knownEnvironments: this.environments.size,
    };
  }

  private foldOne(s: Span): Span {
    const env = s.resource.environment;
    const environment = env && !this.admitEnvironment(env) ? OVERFLOW_NAME : env;
    const ops = this.operationsOf(s.resource.service);
    const service = ops ? s.resource.service : OVERFLOW_NAME;
    const operation = ops && this.admitOperation(ops, s.name) ? s.name : OVERFLOW_NAME;
    if (environment === env && service === s.resource.service && operation === s.name) return s;
    if (environment !== env) this.folded.environment++;
    if (service !== s.resource.service) this.folded.service++;
    else if (operation !== s.name) this.folded.operation++;
    return { ...s, name: operation, resource: { ...s.resource, service, environment } };
  }

  /** The known operations of a service; null when the service is new and over the limit. */
  private operationsOf(service: string): Set<string> | null {
    let ops = this.services.get(service);
    if (ops) return ops;
    if (this.services.size >= this.limits.maxServices) return null;
    ops = new Set();
    this.services.set(service, ops);
    return ops;
  }

  private admitOperation(ops: Set<string>, name: string): boolean {
    if (ops.has(name)) return true;
    if (ops.size >= this.limits.maxOperationsPerService || this.operations >= this.limits.maxOperations) return false;
    ops.add(name);
    this.operations++;
    return true;
  }

  private admitEnvironment(env: string): boolean {
    if (this.environments.has(env)) return true;
    if (this.environments.size >= this.limits.maxEnvironments) return false;
    this.environments.add(env);
    return true;
  }
}
