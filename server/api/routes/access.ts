import "server-only";
import { contract } from "../../../lib/contract";
import type { Route } from "../router";
import { reply } from "../router";
import { route, type RouteInput } from "../route";
import type { ApiContext } from "../context";
import { ApiError } from "../errors";
import { AccessError, type AccessService, type Principal } from "../../auth";
import type { AnyEndpoint } from "../../../lib/contract";

/**
 * Sign-in, setup and access management: users (admin), API tokens (anyone signed in, for
 * themselves; admins see all), ingest keys (admin). Secrets are returned once, at creation.
 */
function svc(ctx: ApiContext): AccessService {
  if (!ctx.access) throw new ApiError(503, "access-unavailable", "access control is not running in this process");
  return ctx.access;
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

function caller<E extends AnyEndpoint>(input: RouteInput<E>): Principal {
  if (!input.principal) throw new ApiError(401, "unauthenticated", "sign in first");
  return input.principal;
}

const cookieHeader = <E extends AnyEndpoint>(input: RouteInput<E>) => {
  const c = input.headers.cookie;
  return Array.isArray(c) ? c.join("; ") : c;
};

export const accessRoutes: Route[] = [
  route(
    contract.getSession,
    async (input, ctx) => {
      const a = svc(ctx);
      const p = input.principal;
      return {
        authEnabled: a.authEnabled,
        ingestKeysRequired: a.ingestKeysRequired,
        setupRequired: await a.setupPending(),
        user: p && a.authEnabled ? { name: p.name, role: p.role, via: p.via } : null,
      };
    },
    { access: "public" },
  ),
  route(
    contract.login,
    async ({ body, clientAddress }, ctx) => {
      const r = await run(() => svc(ctx).login(body.username, body.password, clientAddress));
      return reply(200, { user: r.user }, { "set-cookie": r.setCookie });
    },
    { access: "public" },
  ),
  route(
    contract.logout,
    async (input, ctx) => reply(200, { signedOut: true }, { "set-cookie": await svc(ctx).logout(cookieHeader(input)) }),
    { access: "public" },
  ),
  route(
    contract.completeSetup,
    async ({ body }, ctx) => {
      const r = await run(() => svc(ctx).completeSetup(body.token, body.username, body.password));
      return reply(201, { user: r.user }, { "set-cookie": r.setCookie });
    },
    { access: "public" },
  ),
  route(contract.listUsers, async (_i, ctx) => ({ users: await svc(ctx).listUsers() }), { access: "admin" }),
  route(contract.createUser, ({ body }, ctx) => run(() => svc(ctx).createUser(body.name, body.role, body.password)), {
    access: "admin",
  }),
  route(contract.updateUser, ({ params, body }, ctx) => run(() => svc(ctx).updateUser(params.name, body)), {
    access: "admin",
  }),
  route(
    contract.deleteUser,
    async (input, ctx) => {
      if (input.principal?.name === input.params.name)
        throw new ApiError(409, "self-delete", "you cannot delete the user you are signed in as");
      await run(() => svc(ctx).deleteUser(input.params.name));
      return { deleted: input.params.name };
    },
    { access: "admin" },
  ),
  route(contract.listTokens, async (input, ctx) => ({ tokens: await svc(ctx).listTokens(caller(input)) }), {
    access: "viewer",
  }),
  route(contract.createToken, (input, ctx) => run(() => svc(ctx).createToken(caller(input), input.body)), {
    access: "viewer",
  }),
  route(
    contract.revokeToken,
    async (input, ctx) => {
      await run(() => svc(ctx).revokeToken(caller(input), input.params.id));
      return { revoked: input.params.id };
    },
    { access: "viewer" },
  ),
  route(
    contract.listIngestKeys,
    async (_i, ctx) => ({ keys: await svc(ctx).listIngestKeys(), required: svc(ctx).ingestKeysRequired }),
    { access: "admin" },
  ),
  route(contract.createIngestKey, (input, ctx) => svc(ctx).createIngestKey(input.body, caller(input)), {
    access: "admin",
  }),
  route(
    contract.revokeIngestKey,
    async ({ params }, ctx) => {
      await run(() => svc(ctx).revokeIngestKey(params.id));
      return { revoked: params.id };
    },
    { access: "admin" },
  ),
];
