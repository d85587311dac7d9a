import "server-only";
import type { ControlDb } from "../store";
import { AccessError } from "./errors";
import { isRole, minRole, type Principal, type Role, hasRole } from "./roles";
import { createSecret, displayPrefix, hashSecret, newId } from "./secrets";

/** API tokens: `Authorization: Bearer cgt_...`. The secret is returned once, at creation. */
export interface TokenView {
  id: string;
  name: string;
  user: string;
  role: Role;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

type TokenRow = {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  user: { name: string };
};

function toView(t: TokenRow): TokenView {
  return {
    id: t.id,
    name: t.name,
    user: t.user.name,
    role: isRole(t.role) ? t.role : "viewer",
    prefix: t.prefix,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
  };
}

/** An admin sees every token; anyone else their own. */
export async function listTokens(db: ControlDb, who: Principal): Promise<TokenView[]> {
  const where = who.role === "admin" ? {} : { userId: who.userId };
  return (await db.apiToken.findMany({ where, include: { user: true }, orderBy: { createdAt: "asc" } })).map(toView);
}

export async function createToken(
  db: ControlDb,
  who: Principal,
  input: { name: string; role?: Role; expiresInDays?: number },
  now: number,
): Promise<TokenView & { token: string }> {
  if (!who.userId)
    throw new AccessError(
      409,
      "no-user",
      "API tokens belong to a user: turn authentication on and sign in to create one",
    );
  const role = input.role ?? who.role;
  if (!hasRole(who.role, role))
    throw new AccessError(403, "forbidden", `a token cannot have more rights than its owner (${who.role})`);
  const secret = createSecret("token");
  const row = await db.apiToken.create({
    data: {
      id: newId(),
      name: input.name,
      userId: who.userId,
      role,
      secretHash: hashSecret(secret),
      prefix: displayPrefix(secret),
      expiresAt: input.expiresInDays ? new Date(now + input.expiresInDays * 86_400_000) : null,
    },
    include: { user: true },
  });
  return { ...toView(row), token: secret };
}

export async function revokeToken(db: ControlDb, who: Principal, id: string): Promise<void> {
  const t = await db.apiToken.findUnique({ where: { id } });
  if (!t || (who.role !== "admin" && t.userId !== who.userId))
    throw new AccessError(404, "not-found", `no API token ${JSON.stringify(id)}`);
  await db.apiToken.delete({ where: { id } });
}

const TOUCH_EVERY_MS = 60_000;

/** The token's principal (role capped by the owner's current role), or null. */
export async function findTokenPrincipal(db: ControlDb, secret: string, now: number): Promise<Principal | null> {
  const t = await db.apiToken.findUnique({ where: { secretHash: hashSecret(secret) }, include: { user: true } });
  if (!t || (t.expiresAt && t.expiresAt.getTime() <= now) || !isRole(t.role) || !isRole(t.user.role)) return null;
  if (!t.lastUsedAt || now - t.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    // Best effort: a failed "last used" update never fails the request.
    void db.apiToken.update({ where: { id: t.id }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
  }
  return { userId: t.user.id, name: t.user.name, role: minRole(t.role, t.user.role), via: "token", tokenId: t.id };
}
