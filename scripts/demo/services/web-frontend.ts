// web-frontend: simulated browsers. Each page view is a root INTERNAL span (as the browser
// SDK's document-load / user-interaction instrumentations make) whose API calls go to the
// api-gateway as traced CLIENT spans. Besides, the page's login widget calls accounts'
// /session directly, cross-origin and without a traceparent (browsers only propagate to
// configured origins): accounts sees root SERVER spans from a browser, bypassing the gateway
// (deliberate fault 4).
import { context, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { callService, callUntraced, type CallOptions } from "../http-kit";
import type { ServiceContext, ServiceHandle } from "../service-context";
import { pickInt, portOf, startPoissonLoop } from "../service-context";

const BROWSER_USER_AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
];

/** Max concurrent page views: keeps the load bounded if a service slows down. */
const MAX_IN_FLIGHT = 32;
/** Direct accounts calls per page view (the bypass is frequent enough to pass min-support). */
const SESSION_CHECKS_PER_PAGE = 1 / 3;

interface Page {
  /** root span name: the page and, for an in-page action, the action */
  name: string;
  weight: number;
  call: CallOptions & { apiPath: string };
}

const PAGES: Page[] = [
  { name: "page /", weight: 25, call: { apiPath: "/api/products" } },
  { name: "page /products/:id", weight: 20, call: { apiPath: "/api/products/p{id}" } },
  {
    name: "add to cart /products/:id",
    weight: 15,
    call: { apiPath: "/api/cart/items", method: "POST", body: { productId: "p{id}", quantity: 1 } },
  },
  { name: "page /cart", weight: 10, call: { apiPath: "/api/cart" } },
  // A quarter of the orders are paid on invoice (no card charge), the rest by card.
  {
    name: "place order /checkout",
    weight: 15,
    call: { apiPath: "/api/checkout", method: "POST", body: { paymentMethod: "{method}" } },
  },
  { name: "page /account", weight: 15, call: { apiPath: "/api/account" } },
];
const TOTAL_WEIGHT = PAGES.reduce((sum, p) => sum + p.weight, 0);

function pickPage(): Page {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const page of PAGES) {
    r -= page.weight;
    if (r < 0) return page;
  }
  return PAGES[0];
}

function browserHeaders(userId: string): Record<string, string> {
  return { "user-agent": BROWSER_USER_AGENTS[pickInt(0, BROWSER_USER_AGENTS.length - 1)], "x-user-id": userId };
}

export async function start(ctx: ServiceContext): Promise<ServiceHandle> {
  let inFlight = 0;
  const stops: (() => void)[] = [];

  async function viewPage(): Promise<void> {
    const page = pickPage();
    const id = String(pickInt(1, 200));
    const span = ctx.tracer.startSpan(page.name, { kind: SpanKind.INTERNAL, root: true }, ROOT_CONTEXT);
    const started = performance.now();
    let outcome = "ok";
    try {
      const body = page.call.body
        ? JSON.parse(
            JSON.stringify(page.call.body)
              .replaceAll("{id}", id)
              .replace("{method}", Math.random() < 0.25 ? "invoice" : "card"),
          )
        : undefined;
      const res = await context.with(trace.setSpan(ROOT_CONTEXT, span), () =>
        callService(ctx, "api-gateway", page.call.apiPath.replace("{id}", id), {
          method: page.call.method,
          body,
          headers: browserHeaders(`u${pickInt(1, 500)}`),
        }),
      );
      if (res.status >= 500) outcome = "error";
    } catch {
      outcome = "error";
    } finally {
      span.end();
      const attrs = { operation: page.name, outcome };
      ctx.requestDuration.record((performance.now() - started) / 1000, attrs);
      ctx.requestCount.add(1, attrs);
    }
  }

  async function checkSessionDirectly(): Promise<void> {
    try {
      await callUntraced(ctx, portOf(ctx, "accounts"), "/session", { headers: browserHeaders(`u${pickInt(1, 500)}`) });
    } catch {
      // the browser retries on its next page view
    }
  }

  function bounded(task: () => Promise<void>): () => void {
    return () => {
      if (inFlight >= MAX_IN_FLIGHT) return;
      inFlight++;
      void task().finally(() => inFlight--);
    };
  }

  return {
    go() {
      const rps = ctx.config.rps;
      stops.push(startPoissonLoop(rps, bounded(viewPage)));
      stops.push(startPoissonLoop(rps * SESSION_CHECKS_PER_PAGE, bounded(checkSessionDirectly)));
    },
    async stop() {
      for (const stop of stops) stop();
    },
  };
}
