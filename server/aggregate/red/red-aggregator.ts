import "server-only";
import type { Span } from "../../normalize";
import type { Db } from "../../store";
import type { SpanAggregator } from "../types";
import { addToSketch, createSketch, encodeSketch, mergeEncodedInto, type Sketch } from "./sketch";

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
  dirty: boolean;
  /** The stored row (if any) has been merged in: later flushes may overwrite it. */
  loaded: boolean;
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

/** Cells for minutes older than this stay only in the store (a late span reloads its cell). */
const KEEP_MINUTES = 5;

export function minuteOf(ns: bigint): number {
  return Number(ns / NS_PER_MINUTE);
}

/**
 * RED per service × operation × span kind × minute: count, errors (status ERROR) and a
 * latency sketch. One stored row per key; a flush after a restart merges with the stored
 * row instead of overwriting it.
 */
export function createRedAggregator(): SpanAggregator {
  const cells = new Map<string, Cell>();
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
        cell = { service, environment, operation: s.name, kind: s.kind, minute, count: 0, errors: 0, sketch: createSketch(), dirty: true, loaded: false };
        cells.set(key, cell);
      }
      cell.count++;
      if (s.statusCode === 2) cell.errors++;
      addToSketch(cell.sketch, Number(s.endNs - s.startNs) / 1e6);
      cell.dirty = true;
      const seenMs = Number(s.startNs / 1_000_000n);
      const svcKey = `${service}\u0000${environment}`;
      const svc = services.get(svcKey);
      if (!svc) {
        services.set(svcKey, { name: service, environment, namespace: s.resource.namespace, firstMs: seenMs, lastMs: seenMs, dirty: true });
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

  function flush(db: Db, nowMs: number): void {
    const read = db.prepare(
      `SELECT count, errors, sketch FROM red_minute WHERE service = ? AND environment = ? AND operation = ? AND kind = ? AND minute = ?`,
    );
    const write = db.prepare(
      `INSERT OR REPLACE INTO red_minute (service, environment, operation, kind, minute, count, errors, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const upsertService = db.prepare(`INSERT INTO services (name, environment, namespace, first_seen_ms, last_seen_ms)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, environment) DO UPDATE SET
        namespace = coalesce(excluded.namespace, namespace),
        first_seen_ms = min(first_seen_ms, excluded.first_seen_ms),
        last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`);
    const nowMinute = Math.floor(nowMs / 60_000);
    for (const [key, c] of cells) {
      if (c.dirty) {
        if (!c.loaded) {
          const row = read.get(c.service, c.environment, c.operation, c.kind, c.minute) as { count: number; errors: number; sketch: Buffer } | undefined;
          if (row) {
            c.count += row.count;
            c.errors += row.errors;
            mergeEncodedInto(c.sketch, row.sketch);
          }
          c.loaded = true;
        }
        write.run(c.service, c.environment, c.operation, c.kind, c.minute, c.count, c.errors, encodeSketch(c.sketch));
        c.dirty = false;
      }
      if (c.minute < nowMinute - KEEP_MINUTES) cells.delete(key);
    }
    for (const s of services.values()) {
      if (!s.dirty) continue;
      upsertService.run(s.name, s.environment, s.namespace, s.firstMs, s.lastMs);
      s.dirty = false;
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
