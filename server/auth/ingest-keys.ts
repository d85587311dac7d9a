import "server-only";
import type { ControlDb } from "../store";
import { AccessError } from "./errors";
import { BucketMap } from "./rate-limit";
import { createSecret, displayPrefix, hashSecret, newId } from "./secrets";

/** Ingest keys for OTLP and Zipkin senders (CARTOGRAPH_INGEST_AUTH=keys). */
export interface IngestKeyView {
  id: string;
  name: string;
  prefix: string;
  requestsPerSecond: number;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

type KeyRow = {
  id: string;
  name: string;
  prefix: string;
  requestsPerSecond: number;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
};

function toView(k: KeyRow): IngestKeyView {
  // Field by field: the row also holds secretHash, which never leaves the server.
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    requestsPerSecond: k.requestsPerSecond,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  };
}

export async function listIngestKeys(db: ControlDb): Promise<IngestKeyView[]> {
  return (await db.ingestKey.findMany({ orderBy: { createdAt: "asc" } })).map(toView);
}

export async function createIngestKey(
  db: ControlDb,
  input: { name: string; requestsPerSecond: number; createdBy: string },
): Promise<IngestKeyView & { key: string }> {
  const secret = createSecret("ingest");
  const row = await db.ingestKey.create({
    data: {
      id: newId(),
      name: input.name,
      secretHash: hashSecret(secret),
      prefix: displayPrefix(secret),
      requestsPerSecond: input.requestsPerSecond,
      createdBy: input.createdBy,
    },
  });
  return { ...toView(row), key: secret };
}

export async function revokeIngestKey(db: ControlDb, id: string): Promise<void> {
  const { count } = await db.ingestKey.deleteMany({ where: { id } });
  if (count === 0) throw new AccessError(404, "not-found", `no ingest key ${JSON.stringify(id)}`);
}

export type IngestVerdict =
  { ok: true; keyId?: string } | { ok: false; status: 401 | 429; message: string; retryAfterSeconds?: number };

interface CachedKey {
  key: { id: string; requestsPerSecond: number } | null;
  until: number;
}

/**
 * Checks ingest keys on the hot path: a short-lived cache of hash → key (unknown keys too, so
 * a flood of wrong keys does not reach the database) and a token bucket per key. A revoked key
 * stops working within CACHE_MS in other processes, at once in this one.
 */
export class IngestKeyChecker {
  static readonly CACHE_MS = 5_000;
  private cache = new Map<string, CachedKey>();
  private buckets = new BucketMap();
  private touched = new Map<string, number>();

  constructor(private readonly db: ControlDb) {}

  async check(secret: string | undefined, now: number): Promise<IngestVerdict> {
    if (!secret)
      return {
        ok: false,
        status: 401,
        message: "an ingest key is required: send Authorization: Bearer <key> or x-cartograph-ingest-key: <key>",
      };
    const hash = hashSecret(secret);
    let hit = this.cache.get(hash);
    if (!hit || hit.until <= now) {
      const row = await this.db.ingestKey.findUnique({
        where: { secretHash: hash },
        select: { id: true, requestsPerSecond: true },
      });
      hit = { key: row, until: now + IngestKeyChecker.CACHE_MS };
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(hash, hit);
    }
    if (!hit.key) return { ok: false, status: 401, message: "unknown or revoked ingest key" };
    const rate = hit.key.requestsPerSecond;
    const take = this.buckets.take(hit.key.id, now, rate, Math.max(1, rate * 2));
    if (!take.ok)
      return {
        ok: false,
        status: 429,
        message: `ingest key over its limit of ${rate} requests per second`,
        retryAfterSeconds: Math.min(take.retryAfterSeconds, 5),
      };
    this.touch(hit.key.id, now);
    return { ok: true, keyId: hit.key.id };
  }

  /** Forget cached answers (after a key is created or revoked in this process). */
  invalidate(): void {
    this.cache.clear();
  }

  private touch(id: string, now: number): void {
    if (now - (this.touched.get(id) ?? 0) < 60_000) return;
    this.touched.set(id, now);
    void this.db.ingestKey.update({ where: { id }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
  }
}
