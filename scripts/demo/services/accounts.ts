// accounts: users and sessions in postgresql users-db:5432/users. /session is called by the
// browser directly, without the gateway: deliberate fault 4, gateway bypass.
import { serveHttp } from "../http-kit";
import { runQuery, USERS_DB } from "../datastore";
import type { ServiceContext, ServiceHandle } from "../service-context";
import { portOf } from "../service-context";

export async function start(ctx: ServiceContext): Promise<ServiceHandle> {
  const server = await serveHttp(ctx, portOf(ctx, ctx.name), [
    {
      method: "GET",
      pattern: "/users/:id",
      async handle(params) {
        await runQuery(ctx, USERS_DB, {
          operation: "SELECT",
          collection: "users",
          text: "SELECT id, email, display_name FROM users WHERE id = $1",
        });
        return { status: 200, body: { id: params.id } };
      },
    },
    {
      method: "GET",
      pattern: "/session",
      async handle() {
        await runQuery(ctx, USERS_DB, {
          operation: "SELECT",
          collection: "sessions",
          text: "SELECT user_id, expires_at FROM sessions WHERE token_hash = $1",
        });
        return { status: 200, body: { valid: true } };
      },
    },
  ]);
  return { stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
