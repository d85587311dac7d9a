import "server-only";
import type { Span } from "../../normalize";
import type { RedMinute, ServiceEntry } from "../../store";
import type { RollupSink, SpanAggregator } from "../types";
import { addToSketch, createSketch, encodeSketch, mergeSketches, type Sketch } from "./sketch";

interface Cell {
  service: string;
  /** deployment.environment(.name), '' for none (the store's key). */
  environment: string;
  operation: string;
  kind: number;
  minute: number;
  count: number;
  errors: number;
  sketch: Sketch;
}

interface ServiceSeen {
  name: string;
  environment: string;
  namespace: string | null;
  firstMs: number;
  lastMs: number;
  dirty: boolean;
}

const NS_PER_MINUTE = 60_000_000_000n;

export function minuteOf(ns: bigint): number {
  return Number(ns / NS_PER_MINUTE);
}

/**
 * RED per service × operation × span kind × minute: count, errors (status ERROR) and a
 * latency sketch. A cell holds what was observed since the last flush; the flush hands it to
 * the store, which merges it into the stored minute (a restart or a second writer adds to it,
 * never overwrites it). Cells a failed flush could not write are kept for the next one.
 */
export function createRedAggregator(): SpanAggregator {
  let cells = new Map<string, Cell>();
  const services = new Map<string, ServiceSeen>();
  let observed = 0;
  let flushes = 0;

  function observe(spans: readonly Span[], nowMs: number): void {
    for (const s of spans) {
      const minute = minuteOf(s.startNs);
      const service = s.resource.service;
      const environment = s.resource.environment ?? "";
      const key = `${service}\u0000${environment}\u0000${s.name}\u0000${s.kind}\u0000${minute}`;
      let cell = cells.get(key);
      if (!cell) {
        cell = {
          service,
          environment,
          operation: s.name,
          kind: s.kind,
          minute,
          count: 0,
          errors: 0,
          sketch: createSketch(),
        };
        cells.set(key, cell);
      }
      cell.count++;
      if (s.statusCode === 2) cell.errors++;
      addToSketch(cell.sketch, Number(s.endNs - s.startNs) / 1e6);
      const seenMs = Number(s.startNs / 1_000_000n);
      const svcKey = `${service}\u0000${environment}`;
      const svc = services.get(svcKey);
      if (!svc) {
        services.set(svcKey, {
          name: service,
          environment,
          namespace: s.resource.namespace,
          firstMs: seenMs,
          lastMs: seenMs,
          dirty: true,
        });
      } else {
        if (seenMs > svc.lastMs) svc.lastMs = seenMs;
        if (seenMs < svc.firstMs) svc.firstMs = seenMs;
        if (s.resource.namespace) svc.namespace = s.resource.namespace;
        svc.dirty = true;
      }
      observed++;
    }
    void nowMs;
  }

  async function flush(store: RollupSink, nowMs: number): Promise<void> {
    void nowMs;
    // Observations made while the write is in flight go to fresh cells (never written twice).
    const taken = cells;
    cells = new Map();
    const rows: RedMinute[] = [];
    for (const c of taken.values()) {
      rows.push({
        service: c.service,
        environment: c.environment,
        operation: c.operation,
        kind: c.kind,
        minute: c.minute,
        count: c.count,
        errors: c.errors,
        sketch: encodeSketch(c.sketch),
      });
    }
    const seen: ServiceEntry[] = [];
    const seenKeys: string[] = [];
    for (const [key, s] of services) {
      if (!s.dirty) continue;
      seen.push({
        name: s.name,
        namespace: s.namespace,
        environment: s.environment || null,
        firstSeenMs: s.firstMs,
        lastSeenMs: s.lastMs,
      });
      seenKeys.push(key);
      s.dirty = false;
    }
    if (rows.length === 0 && seen.length === 0) return;
    try {
      await store.rollups.mergeRed(rows, seen);
    } catch (err) {
      // Nothing was written (the merge is atomic): keep it all for the next flush.
      for (const [key, c] of taken) {
        const now = cells.get(key);
        if (!now) cells.set(key, c);
        else {
          now.count += c.count;
          now.errors += c.errors;
          mergeSketches(now.sketch, c.sketch);
        }
      }
      for (const key of seenKeys) {
        const s = services.get(key);
        if (s) s.dirty = true;
      }
      throw err;
    }
    flushes++;
  }

  return {
    name: "red",
    observe,
    flush,
    snapshot: () => ({ observed, flushes, cells: cells.size }),
  };
}
