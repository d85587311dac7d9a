"use client";
import { LOG_SEVERITY_NAMES } from "@/lib/enums";
import type { LogFilters } from "../api/use-logs";

/** "" (any) and every severity name the logs API accepts as minSeverity. */
export const SEVERITY_OPTIONS = ["", ...LOG_SEVERITY_NAMES] as const;

/** The filters as the URL holds them: `attr` repeats, one `key=value` each. */
export function readLogFilters(params: URLSearchParams): LogFilters {
  return {
    service: params.get("service") ?? "",
    minSeverity: params.get("minSeverity") ?? "",
    q: params.get("q") ?? "",
    attr: params.getAll("attr").filter(Boolean),
    traceId: params.get("traceId") ?? "",
  };
}

/** Uncontrolled form; submitting hands every field to `onSearch` (the time range comes from the picker). */
export function LogSearchForm({
  filters,
  services,
  onSearch,
}: {
  filters: LogFilters;
  services: string[];
  onSearch: (f: LogFilters) => void;
}) {
  return (
    <form
      className="panel search-form"
      key={JSON.stringify(filters)}
      data-testid="log-search"
      onSubmit={(e) => {
        e.preventDefault();
        const d = new FormData(e.currentTarget);
        const s = (k: string) => String(d.get(k) ?? "").trim();
        onSearch({
          service: s("service"),
          minSeverity: s("minSeverity"),
          q: s("q"),
          traceId: s("traceId"),
          attr: s("attr")
            .split("\n")
            .map((a) => a.trim())
            .filter(Boolean),
        });
      }}
    >
      <label className="grow">
        Text
        <input name="q" defaultValue={filters.q} placeholder='words, "a phrase", prefix*' />
      </label>
      <label>
        Service
        <input name="service" list="log-services" defaultValue={filters.service} placeholder="any" />
        <datalist id="log-services">
          {services.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </label>
      <label>
        Min severity
        <select name="minSeverity" defaultValue={filters.minSeverity}>
          {SEVERITY_OPTIONS.map((s) => (
            <option key={s} value={s}>
              {s || "any"}
            </option>
          ))}
        </select>
      </label>
      <label>
        Attributes (one key=value a line)
        <textarea name="attr" rows={1} defaultValue={(filters.attr ?? []).join("\n")} placeholder="http.route=/cart" />
      </label>
      <label>
        Trace id
        <input name="traceId" defaultValue={filters.traceId} placeholder="32 hex" className="mono" />
      </label>
      <div className="row">
        <button type="submit" className="btn primary">
          Search
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => onSearch({ service: "", minSeverity: "", q: "", traceId: "", attr: [] })}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
