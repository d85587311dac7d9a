import "server-only";

/**
 * Log storage of the embedded store (appended to MIGRATIONS in schema.ts).
 *
 * - `logs`: one row per record. `time_ns` is the event time (exact ns). `fingerprint` is a
 *   53-bit hash of the record's content except the observed time (a sender may leave that to
 *   the receiver, so it differs between retries): the unique (time_ns, fingerprint) index makes a
 *   retried batch store nothing twice and doubles as the time index (it grows at its end,
 *   as time does, so it costs little on insert).
 * - `logs_fts`: FTS5 over the body text, contentless (the text lives once, in `logs`);
 *   its rowid is `logs.id`. contentless_delete lets retention remove rows by rowid. The
 *   writer replaces it on open by `logs_text` (body + service/severity tags), keeping it only
 *   for the lines it already holds (logs-text-index.ts).
 * - `log_minute`: count per service × minute × severity range (0 unspecified, 1 trace ..
 *   6 fatal), maintained in the insert transaction; histograms without a text/attribute
 *   filter, the service page and log alerts read it instead of the raw rows.
 */
export const LOGS_MIGRATION = `
  CREATE TABLE logs (
    id INTEGER PRIMARY KEY,
    time_ns INTEGER NOT NULL,
    fingerprint INTEGER NOT NULL,
    observed_ns INTEGER NOT NULL,
    service TEXT NOT NULL,
    severity INTEGER NOT NULL,
    severity_text TEXT NOT NULL,
    body TEXT NOT NULL,
    body_json INTEGER NOT NULL,
    trace_id TEXT,
    span_id TEXT,
    flags INTEGER NOT NULL,
    resource_id INTEGER NOT NULL,
    scope TEXT,
    attributes TEXT NOT NULL
  );
  CREATE UNIQUE INDEX logs_time_fp ON logs(time_ns, fingerprint);
  CREATE INDEX logs_service_time ON logs(service, time_ns);
  CREATE INDEX logs_trace ON logs(trace_id) WHERE trace_id IS NOT NULL;
  CREATE VIRTUAL TABLE logs_fts USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
  CREATE TABLE log_minute (
    service TEXT NOT NULL,
    minute INTEGER NOT NULL,
    severity_range INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (service, minute, severity_range)
  ) WITHOUT ROWID;
  CREATE INDEX log_minute_minute ON log_minute(minute);
`;

/** 0 unspecified, 1 trace, 2 debug, 3 info, 4 warn, 5 error, 6 fatal. */
export function severityRange(severityNumber: number): number {
  return severityNumber <= 0 ? 0 : Math.min(6, Math.floor((severityNumber - 1) / 4) + 1);
}
