import { describe, expect, it } from "vitest";
import { z } from "zod";
import { outsideRouter, type AnyEndpoint } from "../../lib/contract";
import { generateOpenApiDocument } from "./openapi";
import { allRoutes } from "./routes";

/**
 * The served OpenAPI document against the router: every route the server answers is in the
 * document with the method, path, parameters, body and success status it really has, and the
 * document names nothing the server does not answer (the OTLP receivers, probes and /metrics
 * are answered in front of the router, from their own contract entries).
 */
type Operation = {
  operationId: string;
  parameters?: { name: string; in: "path" | "query"; required?: boolean }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};
const doc = generateOpenApiDocument() as unknown as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
};
const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
  Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${p}`, op })),
);
const toOpenApiPath = (p: string) => p.replace(/:(\w+)/g, "{$1}");

/** The object a query schema validates (refinements and pipes around it unwrapped). */
function queryKeys(schema: z.ZodType | undefined): string[] {
  let s: z.ZodType | undefined = schema;
  while (s && !(s instanceof z.ZodObject) && "in" in (s as z.ZodPipe)._zod.def) s = (s as z.ZodPipe).in as z.ZodType;
  return s ? Object.keys((s as z.ZodObject).shape).sort() : [];
}

describe("OpenAPI document", () => {
  it("documents exactly the routes the server answers, each once", () => {
    const answered = [
      ...allRoutes.map((r) => `${r.method} ${toOpenApiPath(r.path)}`),
      ...Object.values(outsideRouter).map((e) => `${e.method} ${toOpenApiPath(e.path)}`),
    ];
    expect(documented.map((d) => d.key).sort()).toEqual([...answered].sort());
    expect(new Set(documented.map((d) => d.op.operationId)).size).toBe(documented.length);
  });

  it("gives each route the parameters, body and success status its contract entry validates", () => {
    for (const r of allRoutes) {
      const e = r.endpoint as AnyEndpoint;
      const op = doc.paths[toOpenApiPath(r.path)]![r.method.toLowerCase()]!;
      expect(op.operationId).toBe(e.id);
      const params = op.parameters ?? [];
      const inPath = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!).sort();
      expect(
        params
          .filter((p) => p.in === "path")
          .map((p) => p.name)
          .sort(),
        `${e.id} path parameters`,
      ).toEqual(inPath);
      for (const p of params.filter((x) => x.in === "path")) expect(p.required, `${e.id} ${p.name}`).toBe(true);
      expect(
        params
          .filter((p) => p.in === "query")
          .map((p) => p.name)
          .sort(),
        `${e.id} query parameters`,
      ).toEqual(queryKeys(e.query));
      expect(op.requestBody !== undefined, `${e.id} request body`).toBe(e.body !== undefined);
      expect(Object.keys(op.responses), `${e.id} responses`).toContain(String(e.status ?? 200));
      if (e.params || e.query || e.body)
        expect(Object.keys(op.responses), `${e.id} documents its 400`).toContain("400");
    }
  });

  it("resolves every schema reference", () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) =>
      decodeURIComponent(m[1]!),
    );
    expect(refs.length).toBeGreaterThan(0);
    const missing = [...new Set(refs)].filter((name) => !doc.components?.schemas?.[name]);
    expect(missing).toEqual([]);
    expect(doc.openapi).toBe("3.1.0");
  });
});
