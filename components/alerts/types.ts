/** Client-side shapes of the alerting API (server/alerting/API.md). */
export type RuleType = "service" | "operation" | "edge" | "metric" | "no-data" | "coupling" | "new-edge" | "logs";
export type Signal = "error_rate" | "request_rate" | "latency_p50" | "latency_p95" | "latency_p99";

export interface RuleBody {
  type: RuleType;
  name: string;
  enabled: boolean;
  service?: string;
  operation?: string;
  source?: string;
  target?: string;
  signal?: Signal;
  metric?: string;
  aggregation?: string;
  /** coupling: info | warning | critical; logs: trace..fatal or a SeverityNumber 1..24. */
  minSeverity?: string | number;
  /** logs: free text and key=value attribute filters. */
  text?: string;
  attributes?: Record<string, string>;
  findingRule?: string;
  baselineSeconds?: number;
  forEach?: boolean;
  minRequests?: number;
  op?: ">" | ">=" | "<" | "<=";
  threshold?: number;
  for: number;
  keepFiringFor: number;
  windowSeconds: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  channelIds: string[];
  onNoData: "no-data" | "alerting" | "ok" | "keep-last";
  onError: "error" | "alerting" | "ok" | "keep-last";
  limit?: number;
}

export interface Rule extends RuleBody {
  id: string;
  createdAt: string;
  updatedAt: string;
  health: { health: "ok" | "no-data" | "error"; reason: string; lastEvalAt: number } | null;
  counts: { pending: number; firing: number };
}

export type AlertState = "pending" | "firing" | "resolved" | "nodata" | "error";

export interface AlertInstance {
  id: string;
  ruleId: string;
  ruleName: string;
  fingerprint: string;
  state: AlertState;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number | null;
  reason: string;
  activeAt: string | null;
  firedAt: string | null;
  resolvedAt: string | null;
  silencedBy: string[];
}

export interface HistoryEntry {
  id: number;
  ruleId: string;
  ruleName: string;
  labels: Record<string, string>;
  from: string;
  to: string;
  value: number | null;
  reason: string;
  at: string;
}

export interface Matcher {
  name: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  comment: string;
  createdBy: string;
  status: "active" | "pending" | "expired";
}

export interface Channel {
  id: string;
  name: string;
  type: "webhook" | "alertmanager" | "slack";
  enabled: boolean;
  settings: { url: string; headers?: Record<string, string>; sendResolved?: boolean; channel?: string };
}

export interface Preview {
  from: number;
  to: number;
  stepMs: number;
  threshold: number | null;
  op: string | null;
  series: { labels: Record<string, string>; points: { t: number; value: number | null }[] }[];
  seriesTotal: number;
  current: { status: string; active?: number; reason?: string } | null;
}

export interface FieldError {
  path: string;
  message: string;
}
