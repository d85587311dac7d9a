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
  const refused = checkPolicyBounds(text);
  if (refused) return { ok: false, errors: [{ path: "", message: refused, line: null, column: null }] };
  const lineCounter = new LineCounter();
  let doc: Document;
  let data: unknown;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length === 0) data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // toJS refuses alias expansion past maxAliasCount (billion laughs); a stack overflow means
    // nesting beyond what the pre-check caught. Either way the file is refused, not the server.
    const message =
      e instanceof RangeError
        ? `the policy is nested too deeply (at most ${MAX_DEPTH} levels)`
        : `the policy uses too many aliases: ${(e as Error).message}`;
    return { ok: false, errors: [{ path: "", message, line: null, column: null }] };
  }
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: "", message: e.message.split("\n")[0]!, line: pos.line, column: pos.col };
      }),
    };
  }
  data ??= {};
  if (depthOf(data, 0) > MAX_DEPTH) {
    return {
      ok: false,
      errors: [
        {
          path: "",
          message: `the policy is nested too deeply (at most ${MAX_DEPTH} levels)`,
          line: null,
          column: null,
        },
      ],
    };
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    return {
      ok: false,
      errors: [{ path: "", message: "the policy must be a YAML mapping (key: value)", line: 1, column: 1 }],
    };
  }
  const parsed = PolicySchema.safeParse(data);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((i) => locateIssue(doc, lineCounter, i as unknown as ZodIssueLike)),
  };
}

/** A policy is a few hundred lines of shallow YAML; these bounds leave room and stop abuse. */
export const MAX_POLICY_BYTES = 1_000_000;
const MAX_DEPTH = 64;
const MAX_ALIAS_COUNT = 100;

/** Cheap checks before the YAML parser sees the text: size, and flow or indentation depth. */
function checkPolicyBounds(text: string): string | null {
  if (text.length > MAX_POLICY_BYTES) return `the policy is ${text.length} characters, more than ${MAX_POLICY_BYTES}`;
  let flow = 0;
  let maxFlow = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) maxFlow = Math.max(maxFlow, ++flow);
    else if (c === 93 || c === 125) flow = Math.max(0, flow - 1);
  }
  if (maxFlow > MAX_DEPTH) return `the policy is nested too deeply (${maxFlow} levels of [ or {, at most ${MAX_DEPTH})`;
  const indents = new Set<number>();
  for (const line of text.split("\n")) {
    const m = /^( *)[^ #\r]/.exec(line);
    if (m) indents.add(m[1]!.length);
  }
  if (indents.size > MAX_DEPTH)
    return `the policy is nested too deeply (${indents.size} indentation levels, at most ${MAX_DEPTH})`;
  return null;
}

function depthOf(v: unknown, d: number): number {
  if (d > MAX_DEPTH || v === null || typeof v !== "object") return d;
  let max = d;
  for (const x of Array.isArray(v) ? v : Object.values(v)) max = Math.max(max, depthOf(x, d + 1));
  return max;
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
