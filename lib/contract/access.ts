import { z } from "zod";
import { defineEndpoint } from "./endpoint";
import { roleSchema } from "./enums";

/**
 * Sign-in, first-admin setup and access management (users, API tokens, ingest keys). Secrets
 * (`token`, `key`) appear once, in the creation answer; lists show a prefix only.
 */

const userName = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, "1-64 letters, digits, '.', '_', '@' or '-'");
const password = z.string().min(12, "at least 12 characters").max(1024);
const label = z.string().trim().min(1).max(100);
const idParams = z.object({ id: z.string().min(1) });
const nameParams = z.object({ name: z.string().min(1) });
const tag = "access";

export const userSchema = z.object({ id: z.string(), name: z.string(), role: roleSchema, createdAt: z.string() });
export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  user: z.string(),
  role: roleSchema,
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
export const ingestKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  requestsPerSecond: z.number(),
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export const sessionInfoSchema = z.object({
  authEnabled: z.boolean(),
  ingestKeysRequired: z.boolean(),
  setupRequired: z.boolean(),
  user: z.object({ name: z.string(), role: roleSchema, via: z.enum(["session", "token", "none"]) }).nullable(),
});
const signedIn = z.object({ user: userSchema });

export const getSession = defineEndpoint({
  id: "getSession",
  method: "GET",
  path: "/api/v1/auth/session",
  tag,
  summary: "Whether authentication is on and who is signed in (public)",
  response: sessionInfoSchema,
});
export const login = defineEndpoint({
  id: "login",
  method: "POST",
  path: "/api/v1/auth/login",
  tag,
  summary: "Sign in: sets the HttpOnly session cookie (public; 401 wrong credentials, 429 after repeated failures)",
  body: z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1024) }),
  bodyName: "login",
  errors: [401, 429],
  response: signedIn,
});
export const logout = defineEndpoint({
  id: "logout",
  method: "POST",
  path: "/api/v1/auth/logout",
  tag,
  summary: "Sign out: ends the session and clears the cookie",
  response: z.object({ signedOut: z.literal(true) }),
});
export const completeSetup = defineEndpoint({
  id: "completeSetup",
  method: "POST",
  path: "/api/v1/auth/setup",
  tag,
  summary: "Create the first admin with the one-time setup secret printed to the log (public)",
  body: z.object({ token: z.string().min(1).max(200), username: userName.default("admin"), password }),
  bodyName: "setup",
  status: 201,
  errors: [403, 409],
  response: signedIn,
});
export const listUsers = defineEndpoint({
  id: "listUsers",
  method: "GET",
  path: "/api/v1/access/users",
  tag,
  summary: "Users (admin)",
  errors: [401, 403],
  response: z.object({ users: z.array(userSchema) }),
});
export const createUser = defineEndpoint({
  id: "createUser",
  method: "POST",
  path: "/api/v1/access/users",
  tag,
  summary: "Add a user (admin)",
  body: z.object({ name: userName, role: roleSchema, password }),
  bodyName: "user",
  status: 201,
  errors: [401, 403, 409],
  response: userSchema,
});
export const updateUser = defineEndpoint({
  id: "updateUser",
  method: "PATCH",
  path: "/api/v1/access/users/:name",
  tag,
  summary: "Change a user's role and/or password (admin); ends their sessions",
  params: nameParams,
  body: z
    .object({ role: roleSchema.optional(), password: password.optional() })
    .refine((v) => v.role || v.password, "give role and/or password"),
  bodyName: "user",
  errors: [401, 403, 404, 409],
  response: userSchema,
});
export const deleteUser = defineEndpoint({
  id: "deleteUser",
  method: "DELETE",
  path: "/api/v1/access/users/:name",
  tag,
  summary: "Delete a user with their sessions and tokens (admin); never the last admin or yourself",
  params: nameParams,
  errors: [401, 403, 404, 409],
  response: z.object({ deleted: z.string() }),
});
export const listTokens = defineEndpoint({
  id: "listTokens",
  method: "GET",
  path: "/api/v1/access/tokens",
  tag,
  summary: "Your API tokens (an admin sees all)",
  errors: [401],
  response: z.object({ tokens: z.array(apiTokenSchema) }),
});
export const createToken = defineEndpoint({
  id: "createToken",
  method: "POST",
  path: "/api/v1/access/tokens",
  tag,
  summary: "Create an API token for yourself; `token` is shown this once",
  body: z.object({
    name: label,
    role: roleSchema.optional(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  }),
  bodyName: "token",
  status: 201,
  errors: [401, 403, 409],
  response: apiTokenSchema.extend({ token: z.string() }),
});
export const revokeToken = defineEndpoint({
  id: "revokeToken",
  method: "DELETE",
  path: "/api/v1/access/tokens/:id",
  tag,
  summary: "Revoke an API token",
  params: idParams,
  errors: [401, 404],
  response: z.object({ revoked: z.string() }),
});
export const listIngestKeys = defineEndpoint({
  id: "listIngestKeys",
  method: "GET",
  path: "/api/v1/access/ingest-keys",
  tag,
  summary: "Ingest keys (admin); `required` is CARTOGRAPH_INGEST_AUTH=keys",
  errors: [401, 403],
  response: z.object({ keys: z.array(ingestKeySchema), required: z.boolean() }),
});
export const createIngestKey = defineEndpoint({
  id: "createIngestKey",
  method: "POST",
  path: "/api/v1/access/ingest-keys",
  tag,
  summary: "Create an OTLP/Zipkin ingest key (admin); `key` is shown this once",
  body: z.object({ name: label, requestsPerSecond: z.number().positive().max(1_000_000).optional() }),
  bodyName: "ingest-key",
  status: 201,
  errors: [401, 403],
  response: ingestKeySchema.extend({ key: z.string() }),
});
export const revokeIngestKey = defineEndpoint({
  id: "revokeIngestKey",
  method: "DELETE",
  path: "/api/v1/access/ingest-keys/:id",
  tag,
  summary: "Revoke an ingest key (admin)",
  params: idParams,
  errors: [401, 403, 404],
  response: z.object({ revoked: z.string() }),
});
