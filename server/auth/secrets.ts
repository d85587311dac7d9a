import "server-only";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";

/**
 * Secrets: session cookies, API tokens (`cgt_`), ingest keys (`cgi_`) and setup links are 256
 * random bits; the database keeps only their SHA-256, which is enough for secrets of that
 * entropy. Passwords, chosen by people, go through argon2id (memory-hard).
 */
export type SecretKind = "token" | "ingest" | "session" | "setup";
const PREFIX: Record<SecretKind, string> = { token: "cgt_", ingest: "cgi_", session: "", setup: "" };

export function createSecret(kind: SecretKind): string {
  return PREFIX[kind] + randomBytes(32).toString("base64url");
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** What a list may show of a secret: its kind prefix and a few characters. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, 10);
}

export function newId(): string {
  return randomUUID();
}

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password);
}

/** False for a wrong password or a malformed hash (never throws on bad input). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await argon2Verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the user does not exist, so timing does not reveal user names. */
let dummyHash: Promise<string> | null = null;
export function getDummyHash(): Promise<string> {
  dummyHash ??= argon2Hash(randomBytes(16).toString("hex"));
  return dummyHash;
}
