// api-gateway: the single intended entry point. Routes browser calls to the domain services
// and passes their status through (a downstream 5xx becomes a 502).
import { callService, serveHttp, type CallOptions, type JsonResponse, type Route } from "../http-kit";
import type { ServiceContext, ServiceHandle } from "../service-context";
import { portOf } from "../service-context";

function userOf(headers: Record<string, string | string[] | undefined>): string {
  const user = headers["x-user-id"];
  return typeof user === "string" ? user : "anonymous";
}

async function forward(
  ctx: ServiceContext,
  service: string,
  path: string,
  options: CallOptions = {},
): Promise<JsonResponse> {
  try {
    const res = await callService(ctx, service, path, options);
    return res.status >= 500 ? { status: 502, body: { error: `${service} failed`, upstream: res.body } } : res;
  } catch (error) {
    return { status: 502, body: { error: `${service} unreachable: ${String(error)}` } };
  }
}

export async function start(ctx: ServiceContext): Promise<ServiceHandle> {
  const routes: Route[] = [
    { method: "GET", pattern: "/api/products", handle: () => forward(ctx, "catalog", "/products") },
    { method: "GET", pattern: "/api/products/:id", handle: (p) => forward(ctx, "catalog", `/products/${p.id}`) },
    {
      method: "GET",
      pattern: "/api/cart",
      handle: (_p, _b, req) => forward(ctx, "cart", `/carts/${userOf(req.headers)}`),
    },
    {
      method: "POST",
      pattern: "/api/cart/items",
      handle: (_p, body, req) => forward(ctx, "cart", `/carts/${userOf(req.headers)}/items`, { method: "POST", body }),
    },
    {
      method: "POST",
      pattern: "/api/checkout",
      handle: (_p, body, req) =>
        forward(ctx, "checkout", "/orders", {
          method: "POST",
          body: { ...(body as object), userId: userOf(req.headers) },
        }),
    },
    {
      method: "GET",
      pattern: "/api/account",
      handle: (_p, _b, req) => forward(ctx, "accounts", `/users/${userOf(req.headers)}`),
    },
  ];
  const server = await serveHttp(ctx, portOf(ctx, ctx.name), routes);
  return { stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
