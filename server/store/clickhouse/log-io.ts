import "server-only";
import type { LogRecord } from "../../normalize";
import { bodyText, hashText } from "../sqlite/logs-append";
import { severityRange } from "../sqlite/logs-schema";
import { queryRows, type Connection } from "./connection";
import { wordsOf } from "./log-text";
import { dayOf, dayRangeSql, sqlInt } from "./sql";

/**
 * Appends log lines and their per-minute counts. A line is unique by (time, fingerprint), the
 * fingerprint hashing everything but the observed time (a sender may leave that to the
 * receiver, so it differs between retries), as in the embedded store: a retried batch stores
 * nothing twice and adds no count. Lines go first, counts after, both awaited: the promise
 * resolves once ClickHouse accepted them (an acknowledged line is stored).
 */
export async function appendLogs(conn: Connection, records: readonly LogRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  const db = conn.settings.database;
  const rows = new Map<string, Record<string, unknown>>();
  for (const r of records) {
    const body = bodyText(r.body);
    const attributes = JSON.stringify(r.attributes);
    const resource = JSON.stringify(r.resource.attributes);
    const fp = hashText(
      `${resource}\u0000${r.severityNumber}\u0000${r.severityText}\u0000${r.traceId}\u0000${r.spanId}\u0000${body.text}\u0000${attributes}`,
    );
    const timeNs = r.timeNs.toString();
    rows.set(`${timeNs}:${fp}`, {
      day: dayOf(Number(r.timeNs / 1_000_000n)),
      time_ns: timeNs,
      fingerprint: fp,
      observed_ns: r.observedNs.toString(),
      service: r.resource.service,
      severity: r.severityNumber,
      severity_text: r.severityText,
      body: body.text,
      body_json: body.json ? 1 : 0,
      words: wordsOf(body.text),
      trace_id: r.traceId ?? "",
      span_id: r.spanId ?? "",
      flags: r.flags,
      resource,
      scope: r.scope.name || r.scope.version ? JSON.stringify(r.scope) : "",
      attributes,
    });
  }
  for (const k of await findStoredLines(conn, [...rows.values()])) rows.delete(k);
  if (rows.size === 0) return 0;
  const minutes = new Map<
    string,
    { day: string; minute: number; service: string; severity_range: number; count: number }
  >();
  for (const r of rows.values()) {
    const minute = Number(BigInt(r.time_ns as string) / 60_000_000_000n);
    const range = severityRange(r.severity as number);
    const key = `${r.service}\u0000${minute}\u0000${range}`;
    const m = minutes.get(key);
    if (m) m.count++;
    else
      minutes.set(key, {
        day: dayOf(minute * 60_000),
        minute,
        service: r.service as string,
        severity_range: range,
        count: 1,
      });
  }
  await conn.main.insert({ table: `${db}.logs`, values: [...rows.values()], format: "JSONEachRow" });
  await conn.main.insert({ table: `${db}.log_minute`, values: [...minutes.values()], format: "JSONEachRow" });
  return rows.size;
}

/**
 * Lines of one query for the duplicate check: its text (~20 bytes a line) stays far below
 * ClickHouse's max_query_size (256 KiB by default), which one query for a whole batch passed
 * from ~15k lines on (the append then failed, and the batch with it).
 */
const DUPLICATE_CHECK_LINES = 4_000;

/** The keys (`time:fingerprint`) of the given lines that are already stored, asked in bounded chunks. */
async function findStoredLines(conn: Connection, lines: readonly Record<string, unknown>[]): Promise<string[]> {
  const db = conn.settings.database;
  const found: string[] = [];
  for (let start = 0; start < lines.length; start += DUPLICATE_CHECK_LINES) {
    const chunk = lines.slice(start, start + DUPLICATE_CHECK_LINES);
    let lo = BigInt(chunk[0]!.time_ns as string);
    let hi = lo;
    const fps = new Set<number>();
    for (const line of chunk) {
      const t = BigInt(line.time_ns as string);
      if (t < lo) lo = t;
      if (t > hi) hi = t;
      fps.add(line.fingerprint as number);
    }
    const known = await queryRows<{ t: string; fp: string | number }>(
      conn.main,
      `SELECT toString(time_ns) AS t, fingerprint AS fp FROM ${db}.logs WHERE ${dayRangeSql(lo, hi + 1n)}
        AND time_ns >= ${sqlInt(lo)} AND time_ns <= ${sqlInt(hi)} AND fingerprint IN (${[...fps].map(sqlInt).join(",")})`,
    );
    for (const k of known) found.push(`${k.t}:${Number(k.fp)}`);
  }
  return found;
}
