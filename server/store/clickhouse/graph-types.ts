import "server-only";

/** Plain shapes of the graph rollups at the store boundary (sketches encoded, see sketch-columns.ts). */
export interface StoredEdgeMinute {
  source: string;
  target: string;
  protocol: string;
  minute: number;
  calls: number;
  errors: number;
  connects: number;
  clientSketch: Uint8Array;
  serverSketch: Uint8Array;
}

export interface StoredNode {
  id: string;
  kind: string;
  name: string;
  system?: string | null;
  host?: string | null;
  port?: number | null;
  database?: string | null;
  environment?: string | null;
  detail?: Record<string, unknown>;
  firstSeenMs: number;
  lastSeenMs: number;
}

export interface StoredEdgeMeta {
  source: string;
  target: string;
  protocol: string;
  firstSeenMs: number;
  lastSeenMs: number;
  tables: string[];
}

export interface StoredCompleteness {
  minute: number;
  paired: number;
  unpairedClient: number;
  unpairedServer: number;
  virtual: number;
  expired: number;
  dropped: number;
}

/** Everything one pairing pass (one closed window) produced. `pass` is the window's start (epoch ms). */
export interface GraphPass {
  pass: number;
  /** The window's end (epoch ms, exclusive); default pass + MAX_STEP_MS (graph-io.ts). */
  endMs?: number;
  /**
   * False for an early pass: pairs made so far, unanswered halves left for the final pass, which
   * replaces it (graph-io.ts). Default true.
   */
  final?: boolean;
  /** Spans the pass read: a later run of the same window that read more replaces it. */
  spans?: number;
  edges: StoredEdgeMinute[];
  nodes: StoredNode[];
  edgeMeta: StoredEdgeMeta[];
  completeness: StoredCompleteness[];
}
