"use client";
import type { TraceFilters } from "../api/use-traces";

export const TRACE_FILTER_KEYS = ["service", "operation", "status", "minDurationMs", "maxDurationMs", "attr"] as const;

/** Reads the search filters from the URL. */
export function readTraceFilters(get: (k: string) => string): TraceFilters {
  const status = get("status");
  return {
    service: get("service"),
    operation: get("operation"),
    status: status === "ok" || status === "error" ? status : "",
    minDurationMs: get("minDurationMs"),
    maxDurationMs: get("maxDurationMs"),
    attr: get("attr"),
  };
}

/** Uncontrolled form: submitting writes every field to the URL (the time range comes from the picker). */
export function TraceSearchForm({
  filters,
  services,
  onSearch,
}: {
  filters: TraceFilters;
  services: string[];
  onSearch: (f: Record<string, string>) => void;
}) {
  return (
    <form
      className="panel search-form"
      key={JSON.stringify(filters)}
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        const out: Record<string, string> = {};
        for (const k of TRACE_FILTER_KEYS) out[k] = String(data.get(k) ?? "").trim();
        onSearch(out);
      }}
    >
      <label>
        Service
        <input name="service" list="trace-services" defaultValue={filters.service} placeholder="any" />
        <datalist id="trace-services">
          {services.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </label>
      <label>
        Operation
        <input name="operation" defaultValue={filters.operation} placeholder="any" />
      </label>
      <label>
        Status
        <select name="status" defaultValue={filters.status}>
          <option value="">any</option>
          <option value="ok">ok</option>
          <option value="error">error</option>
        </select>
      </label>
      <label>
        Min duration (ms)
        <input name="minDurationMs" type="number" min={0} step="any" defaultValue={filters.minDurationMs} />
      </label>
      <label>
        Max duration (ms)
        <input name="maxDurationMs" type="number" min={0} step="any" defaultValue={filters.maxDurationMs} />
      </label>
      <label>
        Attribute
        <input name="attr" defaultValue={filters.attr} placeholder="http.route=/cart" />
      </label>
      <div className="row">
        <button type="submit" className="btn primary">
          Search
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => onSearch(Object.fromEntries(TRACE_FILTER_KEYS.map((k) => [k, ""])))}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
