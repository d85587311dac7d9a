import "server-only";
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import type { ControlDb } from "../../store";
import { defaultPolicy } from "./schema";
import { parsePolicyText, type PolicyError } from "./parse";
import type { Policy } from "./schema";

/** The one policy row's id (the table holds the cluster's policy, not one per instance). */
const ROW_ID = "default";

export interface PolicyState {
  /** CARTOGRAPH_POLICY_FILE, resolved: the file imported into the control plane when it changes. */
  path: string;
  /** Whether the control plane holds a policy (saved through the API or imported from the file). */
  exists: boolean;
  /** The stored text (comments kept); empty while none is stored. */
  text: string;
  /** The effective policy: the stored one when it parses, else the defaults. */
  policy: Policy;
  /** Problems of the stored text (a policy saved by an older release); the defaults apply while there are any. */
  errors: PolicyError[];
  /** Where the stored text came from: `api` (PUT /api/v1/policy) or `file`; null while none is stored. */
  source: "api" | "file" | null;
  updatedAtMs: number | null;
}

export type PolicySaveResult = { ok: true; state: PolicyState } | { ok: false; errors: PolicyError[] };

/**
 * The architecture policy in the control plane (Prisma model ArchitecturePolicy), so a PUT on one
 * instance is what every instance's GET, findings and alert rules use. Every thread that needs
 * the policy (the main thread's API, the query threads' findings and alert evaluation) holds one
 * of these over its own control-plane client; `get` reads the row each time (a primary-key read;
 * the parsed policy is cached per text).
 *
 * The file (CARTOGRAPH_POLICY_FILE) is an import: its content is stored when the control plane
 * holds no policy yet, and again whenever the file's content changes (a hand edit, a new
 * ConfigMap); otherwise the stored policy wins, so a PUT is not undone by an unchanged file
 * when an instance restarts. The row keeps the SHA-256 of the last imported content; each
 * process imports a given content at most once, so instances whose files differ do not take
 * turns overwriting each other (the last one to start or see its file change wins). A file with
 * mistakes is not imported (`onFileRejected` reports it) and the stored policy stays.
 */
export interface PolicyStore {
  get(): Promise<PolicyState>;
  save(text: string, by?: string): Promise<PolicySaveResult>;
}

export interface PolicyStoreOptions {
  /** A file with mistakes that was not imported (logged by the caller). */
  onFileRejected?: (file: string, errors: PolicyError[]) => void;
  onFileImported?: (file: string) => void;
}

interface StoredRow {
  yaml: string;
  source: string;
  fileSha256: string;
  updatedAt: Date;
}

export function createControlPolicyStore(db: ControlDb, filePath: string, opts: PolicyStoreOptions = {}): PolicyStore {
  const file = path.resolve(filePath);
  let parsed: { text: string; policy: Policy; errors: PolicyError[] } | null = null;
  let fileStamp: string | null = null;
  const handledShas = new Set<string>();

  const stateOf = (row: StoredRow | null): PolicyState => {
    if (!row)
      return {
        path: file,
        exists: false,
        text: "",
        policy: defaultPolicy(),
        errors: [],
        source: null,
        updatedAtMs: null,
      };
    if (parsed?.text !== row.yaml) {
      const r = parsePolicyText(row.yaml);
      parsed = r.ok
        ? { text: row.yaml, policy: r.policy, errors: [] }
        : { text: row.yaml, policy: defaultPolicy(), errors: r.errors };
    }
    return {
      path: file,
      exists: true,
      text: row.yaml,
      policy: parsed.policy,
      errors: parsed.errors,
      source: row.source === "file" ? "file" : "api",
      updatedAtMs: row.updatedAt.getTime(),
    };
  };

  const readRow = (): Promise<StoredRow | null> =>
    db.architecturePolicy.findUnique({
      where: { id: ROW_ID },
      select: { yaml: true, source: true, fileSha256: true, updatedAt: true },
    });

  const write = (text: string, source: "api" | "file", by: string, fileSha256?: string) =>
    db.architecturePolicy.upsert({
      where: { id: ROW_ID },
      create: { id: ROW_ID, yaml: text, source, updatedBy: by, fileSha256: fileSha256 ?? "" },
      update: { yaml: text, source, updatedBy: by, ...(fileSha256 !== undefined ? { fileSha256 } : {}) },
      select: { yaml: true, source: true, fileSha256: true, updatedAt: true },
    });

  /** The file's content when it changed since this process last looked (stat first; read on change). */
  const changedFile = (): { text: string; sha: string } | null => {
    let stamp: string;
    try {
      const st = statSync(file);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      fileStamp = null;
      return null;
    }
    if (stamp === fileStamp) return null;
    fileStamp = stamp;
    const text = readFileSync(file, "utf8");
    const sha = createHash("sha256").update(text).digest("hex");
    if (handledShas.has(sha)) return null;
    handledShas.add(sha);
    return { text, sha };
  };

  return {
    async get() {
      let row = await readRow();
      const changed = changedFile();
      if (changed && changed.sha !== row?.fileSha256) {
        const r = parsePolicyText(changed.text);
        if (r.ok) {
          row = await write(changed.text, "file", "file", changed.sha);
          opts.onFileImported?.(file);
        } else opts.onFileRejected?.(file, r.errors);
      }
      return stateOf(row);
    },
    async save(text, by = "") {
      const r = parsePolicyText(text);
      if (!r.ok) return { ok: false, errors: r.errors };
      return { ok: true, state: stateOf(await write(text, "api", by)) };
    },
  };
}

/** Turns a policy object (e.g. from a JSON body) into the YAML text that is stored. */
export function stringifyPolicy(value: unknown): string {
  return stringify(value, { indent: 2, lineWidth: 0 });
}
