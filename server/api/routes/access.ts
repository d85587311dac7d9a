import "server-only";
import { z } from "zod";
import type { Route, RouteRequest } from "../router";
import { reply } from "../router";
import type { ApiContext } from "../context";
import { ApiError, fromZodError } from "../errors";
import { AccessError, ROLES, type AccessService, type Principal } from "../../auth";

/**
 * Sign-in, setup and access management: users (admin), API tokens (anyone signed in, for
 * themselves; admins see all), ingest keys (admin). Secrets are returned once, at creation.
 */
function svc(ctx: ApiContext): AccessService {
  if (!ctx.access) throw new ApiError(503, "access-unavailable", "access control is not running in this process");
  return ctx.access;
}

function parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw fromZodError(r.error, what);
  return r.data;
}

/** Maps the access stage's refusals to API errors. */
async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AccessError) throw new ApiError(e.status, e.code, e.message, undefined, e.headers);
    throw e;
  }
}

function caller(req: RouteRequest): Principal {
  if (!req.principal) throw new ApiError(401, "unauthenticated", "sign in first");
  return req.principal;
}

const cookieHeader = (req: RouteRequest) => {
  const c = req.headers?.cookie;
  return Array.isArray(c) ? c.join("; ") : c;
};

const userName = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, "1-64 letters, digits, '.', '_', '@' or '-'");
const password = z.string().min(12, "at least 12 characters").max(1024);
const role = z.enum(ROLES);
const label = z.string().trim().min(1).max(100);

const loginSchema = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1024) });
const setupSchema = z.object({ token: z.string().min(1).max(200), username: userName.default("admin"), password });
const userCreateSchema = z.object({ name: userName, role, password });
const userPatchSchema = z.object({ role: role.optional(), password: password.optional() }).refine((v) => v.role || v.password, "give role and/or password");
const tokenCreateSchema = z.object({ name: label, role: role.optional(), expiresInDays: z.number().int().min(1).max(3650).optional() });
const keyCreateSchema = z.object({ name: label, requestsPerSecond: z.number().positive().max(1_000_000).optional() });

export const accessRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/v1/auth/session",
    access: "public",
    handler: async (req, ctx) => {
      const a = svc(ctx);
      const p = req.principal;
      return {
        authEnabled: a.authEnabled,
        ingestKeysRequired: a.ingestKeysRequired,
        setupRequired: await a.setupPending(),
        user: p && a.authEnabled ? { name: p.name, role: p.role, via: p.via } : null,
      };
    },
  },
  {
    method: "POST",
    path: "/api/v1/auth/login",
    access: "public",
    handler: async (req, ctx) => {
      const body = parse(loginSchema, req.body, "login");
      const r = await run(() => svc(ctx).login(body.username, body.password, req.clientAddress ?? ""));
      return reply(200, { user: r.user }, { "set-cookie": r.setCookie });
    },
  },
  {
    method: "POST",
    path: "/api/v1/auth/logout",
    access: "public",
    handler: async (req, ctx) => reply(200, { signedOut: true }, { "set-cookie": await svc(ctx).logout(cookieHeader(req)) }),
  },
  {
    method: "POST",
    path: "/api/v1/auth/setup",
    access: "public",
    handler: async (req, ctx) => {
      const body = parse(setupSchema, req.body, "setup");
      const r = await run(() => svc(ctx).completeSetup(body.token, body.username, body.password));
      return reply(201, { user: r.user }, { "set-cookie": r.setCookie });
    },
  },
  { method: "GET", path: "/api/v1/access/users", access: "admin", handler: async (_q, ctx) => ({ users: await svc(ctx).listUsers() }) },
  {
    method: "POST",
    path: "/api/v1/access/users",
    access: "admin",
    handler: async (req, ctx) => {
      const b = parse(userCreateSchema, req.body, "user");
      return reply(201, await run(() => svc(ctx).createUser(b.name, b.role, b.password)));
    },
  },
  {
    method: "PATCH",
    path: "/api/v1/access/users/:name",
    access: "admin",
    handler: async (req, ctx) => run(() => svc(ctx).updateUser(req.params.name!, parse(userPatchSchema, req.body, "user"))),
  },
  {
    method: "DELETE",
    path: "/api/v1/access/users/:name",
    access: "admin",
    handler: async (req, ctx) => {
      if (req.principal?.name === req.params.name) throw new ApiError(409, "self-delete", "you cannot delete the user you are signed in as");
      await run(() => svc(ctx).deleteUser(req.params.name!));
      return { deleted: req.params.name };
    },
  },
  { method: "GET", path: "/api/v1/access/tokens", access: "viewer", handler: async (req, ctx) => ({ tokens: await svc(ctx).listTokens(caller(req)) }) },
  {
    method: "POST",
    path: "/api/v1/access/tokens",
    access: "viewer",
    handler: async (req, ctx) => reply(201, await run(() => svc(ctx).createToken(caller(req), parse(tokenCreateSchema, req.body, "token")))),
  },
  {
    method: "DELETE",
    path: "/api/v1/access/tokens/:id",
    access: "viewer",
    handler: async (req, ctx) => {
      await run(() => svc(ctx).revokeToken(caller(req), req.params.id!));
      return { revoked: req.params.id };
    },
  },
  { method: "GET", path: "/api/v1/access/ingest-keys", access: "admin", handler: async (_q, ctx) => ({ keys: await svc(ctx).listIngestKeys(), required: svc(ctx).ingestKeysRequired }) },
  {
    method: "POST",
    path: "/api/v1/access/ingest-keys",
    access: "admin",
    handler: async (req, ctx) => reply(201, await svc(ctx).createIngestKey(parse(keyCreateSchema, req.body, "ingest-key"), caller(req))),
  },
  {
    method: "DELETE",
    path: "/api/v1/access/ingest-keys/:id",
    access: "admin",
    handler: async (req, ctx) => {
      await run(() => svc(ctx).revokeIngestKey(req.params.id!));
      return { revoked: req.params.id };
    },
  },
];
