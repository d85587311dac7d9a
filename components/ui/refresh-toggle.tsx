"use client";
import { useIsFetching } from "../api/query";
import { isRelativeRange } from "@/lib/time-range";
import { useRefresh } from "./refresh-context";
import { useTimeRange } from "./use-time-range";

/** Live / paused switch. An absolute (custom) range is fixed data, so it never auto-refreshes. */
export function RefreshToggle() {
  const { paused, setPaused, intervalMs, setIntervalMs } = useRefresh();
  const { range } = useTimeRange();
  const fetching = useIsFetching() > 0;
  const live = !paused && isRelativeRange(range);
  return (
    <div className="refresh">
      <button
        type="button"
        className={live ? "btn live" : "btn"}
        onClick={() => setPaused(!paused)}
        disabled={!isRelativeRange(range)}
        title={
          isRelativeRange(range)
            ? "Pause or resume auto-refresh"
            : "A custom range is fixed; pick a preset for live data"
        }
        aria-pressed={!paused}
      >
        <span className={fetching ? "pulse on" : "pulse"} aria-hidden />
        {live ? "Live" : "Paused"}
      </button>
      <select
        aria-label="Refresh interval"
        value={intervalMs}
        onChange={(e) => setIntervalMs(Number(e.target.value))}
        disabled={!live}
      >
        <option value={5000}>5s</option>
        <option value={15000}>15s</option>
        <option value={30000}>30s</option>
        <option value={60000}>1m</option>
      </select>
    </div>
  );
}
