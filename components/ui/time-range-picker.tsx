"use client";
import { useState } from "react";
import { TIME_PRESETS, describeRange, parseBound, toDateTimeLocal, type TimeRangeParams } from "@/lib/time-range";
import { useHydrated } from "./use-hydrated";
import { useTimeRange } from "./use-time-range";

function isPreset(range: TimeRangeParams): boolean {
  return range.to === "now" && TIME_PRESETS.some((p) => p.from === range.from);
}

/** Presets (relative, live) and a custom absolute range; all written to `?from=&to=`. */
export function TimeRangePicker() {
  const { range, setRange, resolve } = useTimeRange();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const hydrated = useHydrated();
  const now = Date.now();
  const bounds = resolve(now);
  // A custom range is written in the browser's time zone, which the server does not know.
  const label = hydrated || isPreset(range) ? describeRange(range, now) : "Custom range";

  function applyCustom(form: HTMLFormElement) {
    const data = new FormData(form);
    const from = parseBound(new Date(String(data.get("from"))).toISOString(), now);
    const to = parseBound(new Date(String(data.get("to"))).toISOString(), now);
    if (from === null || to === null || Number.isNaN(from) || Number.isNaN(to)) return setError("Enter both dates.");
    if (from >= to) return setError("The start must be before the end.");
    setError(null);
    setOpen(false);
    setRange({ from: String(from), to: String(to) });
  }

  return (
    <div className="time-picker">
      <div className="preset-group" role="group" aria-label="Time range presets">
        {TIME_PRESETS.map((p) => (
          <button
            key={p.label}
            type="button"
            className={range.from === p.from && range.to === "now" ? "chip active" : "chip"}
            onClick={() => setRange({ from: p.from, to: "now" })}
          >
            {p.label}
          </button>
        ))}
        <button
          type="button"
          className={open ? "chip active" : "chip"}
          onClick={() => setOpen(!open)}
          aria-expanded={open}
        >
          Custom
        </button>
      </div>
      <span className="range-label" data-testid="range-label">
        {label}
      </span>
      {open && (
        <form
          className="popover"
          onSubmit={(e) => {
            e.preventDefault();
            applyCustom(e.currentTarget);
          }}
        >
          <label>
            From <input type="datetime-local" name="from" defaultValue={toDateTimeLocal(bounds.fromMs)} required />
          </label>
          <label>
            To <input type="datetime-local" name="to" defaultValue={toDateTimeLocal(bounds.toMs)} required />
          </label>
          {error && <p className="form-error">{error}</p>}
          <div className="row">
            <button type="submit" className="btn primary">
              Apply
            </button>
            <button type="button" className="btn" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
