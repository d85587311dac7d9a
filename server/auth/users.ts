import "server-only";
import type { ControlDb } from "../store";
import { AccessError } from "./errors";
import { isRole, type Principal, type Role } from "./roles";
import { createSecret, getDummyHash, hashPassword, hashSecret, newId, verifyPassword } from "./secrets";

/** Users, passwords and login sessions in the control plane. */
export interface UserView {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
}

type UserRow = { id: string; name: string; role: string; createdAt: Date };

export function toUserView(u: UserRow): UserView {
  return { id: u.id, name: u.name, role: isRole(u.role) ? u.role : "viewer", createdAt: u.createdAt.toISOString() };
}

export async function listUsers(db: ControlDb): Promise<UserView[]> {
  return (await db.user.findMany({ orderBy: { name: "asc" } })).map(toUserView);
}

export async function countUsers(db: ControlDb): Promise<number> {
  return db.user.count();
}

export async function createUser(db: ControlDb, name: string, role: Role, password: string): Promise<UserView> {
  if (await db.user.findUnique({ where: { name } }))
    throw new AccessError(409, "user-exists", `a user named ${JSON.stringify(name)} already exists`);
  const row = await db.user.create({ data: { id: newId(), name, role, passwordHash: await hashPassword(password) } });
  return toUserView(row);
}

/** Changing the role or password of a user ends their sessions (they sign in again). */
export async function updateUser(
  db: ControlDb,
  name: string,
  change: { role?: Role; password?: string },
): Promise<UserView> {
  const user = await db.user.findUnique({ where: { name } });
  if (!user) throw new AccessError(404, "not-found", `no user ${JSON.stringify(name)}`);
  if (change.role && change.role !== "admin" && user.role === "admin") await refuseLastAdmin(db, `demote ${name}`);
  const data: { role?: Role; passwordHash?: string } = {};
  if (change.role) data.role = change.role;
  if (change.password) data.passwordHash = await hashPassword(change.password);
  const row = await db.$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { userId: user.id } });
    return tx.user.update({ where: { id: user.id }, data });
  });
  return toUserView(row);
}

/** Deleting a user deletes their sessions and API tokens (cascade). */
export async function deleteUser(db: ControlDb, name: string): Promise<void> {
  const user = await db.user.findUnique({ where: { name } });
  if (!user) throw new AccessError(404, "not-found", `no user ${JSON.stringify(name)}`);
  if (user.role === "admin") await refuseLastAdmin(db, `delete ${name}`);
  await db.user.delete({ where: { id: user.id } });
}

async function refuseLastAdmin(db: ControlDb, what: string): Promise<void> {
  if ((await db.user.count({ where: { role: "admin" } })) <= 1) {
    throw new AccessError(409, "last-admin", `cannot ${what}: it is the only admin`);
  }
}

/** A verified user, or null (the same time is spent whether or not the user exists). */
export async function checkPassword(db: ControlDb, name: string, password: string): Promise<UserRow | null> {
  const user = await db.user.findUnique({ where: { name } });
  const ok = await verifyPassword(user?.passwordHash ?? (await getDummyHash()), password);
  return user && ok ? user : null;
}

export async function createSession(
  db: ControlDb,
  userId: string,
  now: number,
  lifetimeMs: number,
): Promise<{ secret: string; expiresAt: Date }> {
  const secret = createSecret("session");
  const expiresAt = new Date(now + lifetimeMs);
  await db.session.create({ data: { id: hashSecret(secret), userId, expiresAt } });
  // Expired sessions of anyone are removed on the way (sessions are few; no job needed).
  await db.session.deleteMany({ where: { expiresAt: { lte: new Date(now) } } });
  return { secret, expiresAt };
}

export async function deleteSession(db: ControlDb, secret: string): Promise<void> {
  await db.session.deleteMany({ where: { id: hashSecret(secret) } });
}

export async function findSessionPrincipal(db: ControlDb, secret: string, now: number): Promise<Principal | null> {
  const s = await db.session.findUnique({ where: { id: hashSecret(secret) }, include: { user: true } });
  if (!s || s.expiresAt.getTime() <= now || !isRole(s.user.role)) return null;
  return { userId: s.user.id, name: s.user.name, role: s.user.role, via: "session" };
}
