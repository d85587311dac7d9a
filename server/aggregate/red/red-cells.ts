import "server-only";
import type { Span } from "../../normalize";
import { addToSketch, createSketch, encodeSketch, type Sketch } from "./sketch";
import { minuteOf } from "./red-aggregator";

/** One RED cell and one service sighting, as append-only stores take them (sketch encoded). */
export interface RedCellRow {
  service: string;
  /** deployment.environment(.name), '' for none (environments never mix). */
  environment: string;
  operation: string;
  kind: number;
  minute: number;
  count: number;
  errors: number;
  sketch: Buffer;
}

export interface ServiceSeenRow {
  name: string;
  namespace: string | null;
  environment: string | null;
  firstSeenMs: number;
  lastSeenMs: number;
}

interface Cell {
  service: string;
  environment: string;
  operation: string;
  kind: number;
  minute: number;
  count: number;
  errors: number;
  sketch: Sketch;
}

/**
 * RED cells for a store where many instances append rows that reads add up (ClickHouse):
 * the same cell key, counting and sketch as the SQLite aggregator, but nothing is read back
 * or overwritten; `drain` hands over what accumulated since the last drain. Bounded by the
 * distinct keys of one flush interval.
 */
export class RedBuffer {
  private cells = new Map<string, Cell>();
  private services = new Map<string, ServiceSeenRow>();

  add(spans: readonly Span[]): void {
    for (const s of spans) {
      const minute = minuteOf(s.startNs);
      const service = s.resource.service;
      const environment = s.resource.environment ?? "";
      const key = `${service}\u0000${environment}\u0000${s.name}\u0000${s.kind}\u0000${minute}`;
      let cell = this.cells.get(key);
      if (!cell)
        this.cells.set(
          key,
          (cell = {
            service,
            environment,
            operation: s.name,
            kind: s.kind,
            minute,
            count: 0,
            errors: 0,
            sketch: createSketch(),
          }),
        );
      cell.count++;
      if (s.statusCode === 2) cell.errors++;
      addToSketch(cell.sketch, Number(s.endNs - s.startNs) / 1e6);
      const seenMs = Number(s.startNs / 1_000_000n);
      const svcKey = `${service}\u0000${environment}`;
      const svc = this.services.get(svcKey);
      if (!svc) {
        this.services.set(svcKey, {
          name: service,
          namespace: s.resource.namespace,
          environment: s.resource.environment,
          firstSeenMs: seenMs,
          lastSeenMs: seenMs,
        });
      } else {
        svc.firstSeenMs = Math.min(svc.firstSeenMs, seenMs);
        svc.lastSeenMs = Math.max(svc.lastSeenMs, seenMs);
        if (s.resource.namespace) svc.namespace = s.resource.namespace;
      }
    }
  }

  get size(): number {
    return this.cells.size;
  }

  drain(): { cells: RedCellRow[]; services: ServiceSeenRow[] } {
    const cells = [...this.cells.values()].map((c) => ({ ...c, sketch: encodeSketch(c.sketch) }));
    const services = [...this.services.values()];
    this.cells = new Map();
    this.services = new Map();
    return { cells, services };
  }
}
