"use client";

/** A huge trace arrives in pages: says how much is shown and loads the next page on request. */
export function TruncatedNote({
  shown,
  total,
  loading,
  onLoadMore,
}: {
  shown: number;
  total: number;
  loading: boolean;
  onLoadMore: () => void;
}) {
  const next = Math.min(total - shown, 2000);
  return (
    <div className="panel row" role="status" data-testid="trace-truncated">
      <span>
        This trace has {total.toLocaleString("en")} spans; the first {shown.toLocaleString("en")} (by start time) are
        shown. Spans whose parent is not loaded yet appear at the top level.
      </span>{" "}
      <button type="button" className="btn" onClick={onLoadMore} disabled={loading} data-testid="load-more-spans">
        {loading ? "Loading…" : `Load ${next.toLocaleString("en")} more`}
      </button>
    </div>
  );
}
