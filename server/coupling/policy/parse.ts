import "server-only";
import { LineCounter, parseDocument, isMap, isCollection, type Document } from "yaml";
import { PolicySchema, type Policy } from "./schema";

/** A policy mistake, located in the file (1-based line and column) when it can be. */
export interface PolicyError {
  path: string;
  message: string;
  line: number | null;
  column: number | null;
}

export type PolicyParseResult = { ok: true; policy: Policy } | { ok: false; errors: PolicyError[] };

/**
 * Parses and validates policy YAML. Syntax errors and schema violations both come back
 * with line numbers taken from the YAML node ranges (LineCounter), so a user can fix
 * the file without guessing which `minCallers` was meant.
 */
export function parsePolicyText(text: string): PolicyParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: "", message: e.message.split("\n")[0]!, line: pos.line, column: pos.col };
      }),
    };
  }
  const data = doc.toJS() ?? {};
  if (typeof data !== "object" || Array.isArray(data)) {
    return { ok: false, errors: [{ path: "", message: "the policy must be a YAML mapping (key: value)", line: 1, column: 1 }] };
  }
  const parsed = PolicySchema.safeParse(data);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => locateIssue(doc, lineCounter, i as unknown as ZodIssueLike)) };
}

interface ZodIssueLike {
  path: PropertyKey[];
  message: string;
  code: string;
  keys?: string[];
}

function locateIssue(doc: Document, lc: LineCounter, issue: ZodIssueLike): PolicyError {
  let path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)) as (string | number)[];
  // An unknown key is best shown at the key itself.
  let keyNode = false;
  if (issue.code === "unrecognized_keys" && issue.keys?.length) {
    path = [...path, issue.keys[0]!];
    keyNode = true;
  }
  const offset = findOffset(doc, path, keyNode);
  const pos = offset === null ? null : lc.linePos(offset);
  return {
    path: path.join("."),
    message: issue.message,
    line: pos?.line ?? null,
    column: pos?.col ?? null,
  };
}

/** Offset of the deepest node that exists along `path` (the key node when `atKey`). */
function findOffset(doc: Document, path: (string | number)[], atKey: boolean): number | null {
  let node: unknown = doc.contents;
  let best: number | null = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    if (!isCollection(node)) break;
    const seg = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(seg));
      if (!pair) break;
      const last = i === path.length - 1;
      const keyStart = rangeStart(pair.key);
      if (last && atKey && keyStart !== null) return keyStart;
      node = pair.value;
      best = rangeStart(node) ?? keyStart ?? best;
      if (pair.value === null && keyStart !== null) best = keyStart;
    } else {
      const item = node.items[Number(seg)];
      if (item === undefined) break;
      node = item;
      best = rangeStart(node) ?? best;
    }
  }
  return best;
}

function rangeStart(node: unknown): number | null {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ? r[0] : null;
}
