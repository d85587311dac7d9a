import "server-only";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { defaultPolicy, type Policy } from "./schema";
import { parsePolicyText, type PolicyError } from "./parse";

export interface PolicyState {
  path: string;
  exists: boolean;
  /** The file's text; empty when the file does not exist. */
  text: string;
  /** The effective policy: the file's when valid, else the defaults. */
  policy: Policy;
  /** Problems of the file on disk; the defaults apply while there are any. */
  errors: PolicyError[];
}

export type PolicySaveResult = { ok: true; state: PolicyState } | { ok: false; errors: PolicyError[] };

/**
 * The policy file behind GET/PUT /api/v1/policy and the analysis. Re-reads the file when
 * its mtime or size changes, so hand edits apply without a restart. Writes are atomic
 * (temp file in the same folder, fsync, rename) so a reader never sees half a file.
 */
export interface PolicyStore {
  get(): PolicyState;
  save(text: string): PolicySaveResult;
}

export function createPolicyStore(filePath: string): PolicyStore {
  const abs = path.resolve(filePath);
  let cached: { stamp: string; state: PolicyState } | null = null;

  const stampOf = (): string | null => {
    try {
      const st = statSync(abs);
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return null;
    }
  };

  const load = (): PolicyState => {
    const stamp = stampOf();
    if (stamp === null) return { path: abs, exists: false, text: "", policy: defaultPolicy(), errors: [] };
    if (cached && cached.stamp === stamp) return cached.state;
    const text = readFileSync(abs, "utf8");
    const parsed = parsePolicyText(text);
    const state: PolicyState = parsed.ok
      ? { path: abs, exists: true, text, policy: parsed.policy, errors: [] }
      : { path: abs, exists: true, text, policy: defaultPolicy(), errors: parsed.errors };
    cached = { stamp, state };
    return state;
  };

  return {
    get: load,
    save(text) {
      const parsed = parsePolicyText(text);
      if (!parsed.ok) return { ok: false, errors: parsed.errors };
      writeFileAtomic(abs, text);
      cached = null;
      return { ok: true, state: load() };
    },
  };
}

/** Turns a policy object (e.g. from a JSON body) into the YAML text that is stored. */
export function stringifyPolicy(value: unknown): string {
  return stringify(value, { indent: 2, lineWidth: 0 });
}

function writeFileAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
