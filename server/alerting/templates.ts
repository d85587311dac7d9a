import "server-only";
import { createHash } from "node:crypto";
import type { TimeWindow } from "../platform/time-window";

/**
 * Label and annotation templates: `{{ $value }}`, `{{ $threshold }}`, `{{ $labels.<name> }}`,
 * `{{ $links.service }}`, `{{ $links.map }}`, `{{ $links.traces }}`, `{{ $rule }}`,
 * `{{ $externalURL }}`. A bad template expands to `<error expanding template: ...>`, never throws.
 */
export interface TemplateData {
  labels: Record<string, string>;
  value?: number | null;
  threshold?: number;
  rule?: string;
  externalURL?: string;
  links?: Record<string, string>;
}

const TOKEN = /\{\{\s*([^}]*?)\s*\}\}/g;

export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "n/a";
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : Number(v.toPrecision(4)).toString();
}

export function expandTemplate(text: string, data: TemplateData): string {
  return text.replace(TOKEN, (_m, expr: string) => {
    const m = /^\$([A-Za-z_]+)(?:\.([A-Za-z_][A-Za-z0-9_]*))?$/.exec(expr);
    if (!m) return `<error expanding template: cannot parse "${expr}">`;
    const [, name, field] = m;
    switch (name) {
      case "value":
        return formatValue(data.value);
      case "threshold":
        return formatValue(data.threshold);
      case "rule":
        return data.rule ?? "";
      case "externalURL":
        return data.externalURL ?? "";
      case "labels":
        return field ? (data.labels[field] ?? "") : `<error expanding template: $labels needs a label name>`;
      case "links":
        if (!field || !data.links || !(field in data.links))
          return `<error expanding template: unknown link "${field ?? ""}">`;
        return data.links[field]!;
      default:
        return `<error expanding template: unknown variable $${name}>`;
    }
  });
}

/** Links into Cartograph for an alert: service page, map focused on it, example traces. */
export function buildLinks(
  externalURL: string,
  labels: Record<string, string>,
  window: TimeWindow,
  traceIds: string[] = [],
): Record<string, string> {
  const base = externalURL.replace(/\/+$/, "");
  const service = labels.service ?? labels.source ?? "";
  const links: Record<string, string> = {};
  if (service) {
    links.service = `${base}/services/${encodeURIComponent(service)}`;
    links.map = `${base}/map?focus=${encodeURIComponent("service:" + service)}`;
    const q = new URLSearchParams({ service, from: String(window.fromMs), to: String(window.toMs) });
    links.traces = `${base}/traces?${q.toString()}`;
  } else {
    links.map = `${base}/map`;
    links.traces = `${base}/traces`;
  }
  traceIds.slice(0, 3).forEach((id, i) => (links[`trace${i + 1}`] = `${base}/traces/${encodeURIComponent(id)}`));
  return links;
}

/** Stable 16-hex-digit identity of a label set (sorted keys). */
export function fingerprintLabels(labels: Record<string, string>): string {
  const canon = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join("\u0001");
  return createHash("sha256").update(canon).digest("hex").slice(0, 16);
}

export const DEFAULT_ANNOTATIONS: Record<string, string> = {
  summary: "{{ $rule }}: value {{ $value }} (threshold {{ $threshold }})",
  service_url: "{{ $links.service }}",
  map_url: "{{ $links.map }}",
  traces_url: "{{ $links.traces }}",
};
