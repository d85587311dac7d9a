import "server-only";
import type { OperationSummary } from "../../lib/contract";
import type { TimeWindow } from "../platform/time-window";
import type { TelemetryReader } from "../store";
import { rateHealth } from "./health";
import { environmentKey } from "./services";
import { addRow, createAccumulator, minuteRange, toRedStats, windowSeconds, type RedAccumulator } from "./red-stats";
import { SPAN_KINDS } from "../../lib/enums";

export type { OperationSummary };

/** Per operation (span name × kind) of one service; served operations first, then by traffic. */
export async function getOperations(
  t: TelemetryReader,
  service: string,
  w: TimeWindow,
  environment?: string,
): Promise<OperationSummary[]> {
  const { fromMinute, toMinute } = minuteRange(w);
  const rows = await t.rollups.readRed({ fromMinute, toMinute, service, environment: environmentKey(environment) });
  const ops = new Map<string, { name: string; kind: number; acc: RedAccumulator }>();
  for (const r of rows) {
    const key = `${r.kind}\u0000${r.operation}`;
    let op = ops.get(key);
    if (!op) ops.set(key, (op = { name: r.operation, kind: r.kind, acc: createAccumulator() }));
    addRow(op.acc, r);
  }
  const seconds = windowSeconds(w);
  const served = (k: number) => (k === 2 || k === 5 ? 0 : 1);
  return [...ops.values()]
    .sort((a, b) => served(a.kind) - served(b.kind) || b.acc.count - a.acc.count || a.name.localeCompare(b.name))
    .map((op) => ({
      name: op.name,
      kind: SPAN_KINDS[op.kind] ?? "unspecified",
      ...toRedStats(op.acc, seconds),
      health: rateHealth(op.acc.count, op.acc.errors),
    }));
}
