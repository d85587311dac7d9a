import { z } from "zod";
import { integerParam, numberParam, redStatsSchema, scopeQuery } from "./common";
import { defineEndpoint } from "./endpoint";
import { edgeProtocolSchema, healthSchema, nodeKindSchema } from "./enums";
import { instantSchema, windowQuery } from "./time-window";

/** The service map, its diff against a baseline (API.md "Service map"). */

export const nodeDetailSchema = z.object({
  schemas: z.array(z.string()).optional(),
  tables: z.array(z.string()).optional(),
  instances: z.array(z.string()).optional(),
  consumerGroups: z.array(z.string()).optional(),
  ipOnly: z.boolean().optional(),
  via: z.string().optional(),
});

export const mapNodeSchema = z
  .object({
    id: z.string().meta({
      description:
        "service:<name>, database:<system>://<host>:<port>/<db>, messaging:<system>/<destination>, external:<host>, client:<family>; followed by ?env=<environment> (&env= after another part) when the services have a deployment.environment(.name)",
    }),
    kind: nodeKindSchema,
    name: z.string(),
    health: healthSchema,
    stats: redStatsSchema,
    /** false for nodes drawn from the callers' spans only (databases, topics, externals, callers). */
    instrumented: z.boolean(),
    system: z.string().optional(),
    host: z.string().optional(),
    port: z.number().optional(),
    database: z.string().optional(),
    namespace: z.string().optional(),
    environment: z.string().optional(),
    detail: nodeDetailSchema.optional(),
    firstSeen: z.string(),
    lastSeen: z.string(),
  })
  .meta({ id: "MapNode" });
export type MapNode = z.infer<typeof mapNodeSchema>;

export const mapEdgeSchema = z
  .object({
    id: z.string(),
    source: z.string(),
    target: z.string(),
    protocol: edgeProtocolSchema,
    protocols: z.array(edgeProtocolSchema),
    /** Computed by the server from `stats` (the UI never recomputes it). */
    health: healthSchema,
    stats: redStatsSchema.meta({ description: "server-side when the callee is instrumented, else client-side" }),
    statsSide: z.enum(["server", "client"]),
    clientStats: redStatsSchema.nullable(),
    serverStats: redStatsSchema.nullable(),
    connects: z.number(),
    tables: z.array(z.string()),
    firstSeen: z.string(),
    lastSeen: z.string(),
  })
  .meta({ id: "MapEdge" });
export type MapEdge = z.infer<typeof mapEdgeSchema>;

export const completenessSchema = z
  .object({
    pairedCalls: z.number(),
    unpairedClientSpans: z.number(),
    unpairedServerSpans: z.number(),
    virtualCalls: z.number(),
    /** Halves that waited out the pairing window (calls to uninstrumented peers end here too). */
    expired: z.number(),
    dropped: z.number(),
    /** paired / (paired + unpaired halves); null with nothing to pair. */
    ratio: z.number().nullable(),
  })
  .meta({ id: "Completeness" });
export type Completeness = z.infer<typeof completenessSchema>;

export const serviceMapSchema = z
  .object({ nodes: z.array(mapNodeSchema), edges: z.array(mapEdgeSchema), completeness: completenessSchema })
  .meta({ id: "ServiceMap" });
export type ServiceMap = z.infer<typeof serviceMapSchema>;

/** The map's selection: time window, scope, focus and hops (shared by the full map and its summary). */
const mapQueryFields = {
  ...windowQuery,
  ...scopeQuery,
  focus: z
    .string()
    .min(1, "focus must be a node id such as service:checkout")
    .max(1000)
    .optional()
    .meta({ description: "node id, e.g. service:checkout" }),
  depth: integerParam
    .pipe(z.number().min(1, "depth must be at least 1").max(10, "depth must be at most 10"))
    .optional()
    .meta({ description: "hops around focus, 1..10 (needs focus)" }),
};
const depthNeedsFocus: [(q: { depth?: number; focus?: string }) => boolean, { message: string; path: string[] }] = [
  (q) => q.depth === undefined || q.focus !== undefined,
  { message: "depth needs focus: pass focus=<node id> (e.g. service:checkout) with depth", path: ["depth"] },
];

export const getServiceMap = defineEndpoint({
  id: "getServiceMap",
  method: "GET",
  path: "/api/v1/service-map",
  tag: "service-map",
  summary: "Typed dependency graph with per-node and per-edge RED and health",
  query: z
    .object({
      ...mapQueryFields,
      traceId: z
        .string()
        .regex(/^[0-9a-f]{32}$/, "traceId must be 32 lowercase hex characters")
        .optional()
        .meta({ description: "the map of one trace" }),
      source: z
        .enum(["rollup", "rebuild"])
        .optional()
        .meta({ description: "`rebuild` pairs the window's stored spans again" }),
    })
    .refine(...depthNeedsFocus),
  window: true,
  errors: [404],
  response: serviceMapSchema,
});

/**
 * What drawing the map takes: each node as in the map without its first/last seen times and
 * details, each edge with its id, ends, protocol, health and headline stats (no per-side stats,
 * protocol list, connects, tables or times). Less than half the map's bytes at 300 services.
 */
export const mapNodeSummarySchema = mapNodeSchema
  .omit({ detail: true, firstSeen: true, lastSeen: true })
  .meta({ id: "MapNodeSummary" });
export type MapNodeSummary = z.infer<typeof mapNodeSummarySchema>;
export const mapEdgeSummarySchema = mapEdgeSchema
  .pick({ id: true, source: true, target: true, protocol: true, health: true, stats: true, statsSide: true })
  .meta({ id: "MapEdgeSummary" });
export type MapEdgeSummary = z.infer<typeof mapEdgeSummarySchema>;
export const serviceMapSummarySchema = z
  .object({
    nodes: z.array(mapNodeSummarySchema),
    edges: z.array(mapEdgeSummarySchema),
    completeness: completenessSchema,
  })
  .meta({ id: "ServiceMapSummary" });
export type ServiceMapSummary = z.infer<typeof serviceMapSummarySchema>;

export const getServiceMapSummary = defineEndpoint({
  id: "getServiceMapSummary",
  method: "GET",
  path: "/api/v1/service-map/summary",
  tag: "service-map",
  summary: "The service map as a drawing needs it: the same nodes and edges with fewer fields",
  description:
    "Same selection and nodes/edges as /api/v1/service-map; edges carry id, source, target, protocol, health, stats and statsSide, nodes all but detail, firstSeen and lastSeen. The UI's map reads this; take /api/v1/service-map for the rest.",
  query: z.object(mapQueryFields).refine(...depthNeedsFocus),
  window: true,
  response: serviceMapSummarySchema,
});

export const changeReasonSchema = z.enum([
  "traffic-up",
  "traffic-down",
  "errors-up",
  "errors-down",
  "p95-up",
  "p95-down",
  "health",
]);
export type ChangeReason = z.infer<typeof changeReasonSchema>;

export const mapChangeSchema = z.object({
  id: z.string(),
  kind: z.enum(["node", "edge"]),
  before: z.object({ stats: redStatsSchema, health: healthSchema }),
  after: z.object({ stats: redStatsSchema, health: healthSchema }),
  reasons: z.array(changeReasonSchema),
});
export type MapChange = z.infer<typeof mapChangeSchema>;

const windowSchema = z.object({ fromMs: z.number(), toMs: z.number() });
const nodesAndEdges = z.object({ nodes: z.array(mapNodeSchema), edges: z.array(mapEdgeSchema) });

export const getServiceMapDiff = defineEndpoint({
  id: "getServiceMapDiff",
  method: "GET",
  path: "/api/v1/service-map/diff",
  tag: "service-map",
  summary: "Added, removed and changed nodes and edges between the window and a baseline",
  query: z
    .object({
      ...windowQuery,
      ...scopeQuery,
      baselineFrom: instantSchema.optional().meta({ description: "default: the window of equal length just before" }),
      baselineTo: instantSchema.optional(),
    })
    .refine((q) => (q.baselineFrom === undefined) === (q.baselineTo === undefined), {
      message:
        "pass both baselineFrom and baselineTo, or neither (the baseline is then the preceding window of equal length)",
      path: ["baselineFrom"],
    }),
  window: true,
  response: z.object({
    window: windowSchema,
    baseline: windowSchema,
    added: nodesAndEdges,
    removed: nodesAndEdges,
    changed: z.array(mapChangeSchema),
  }),
});

export const edgePointSchema = z
  .object({
    t: z.number().meta({ description: "step start, epoch ms" }),
    requests: z.number().int().min(0),
    errors: z.number().int().min(0),
    errorRate: z.number().nullable().meta({ description: "null in a step without requests" }),
    rps: z.number(),
    client: z
      .object({ p50Ms: z.number().nullable(), p95Ms: z.number().nullable(), p99Ms: z.number().nullable() })
      .meta({ description: "latency measured by the caller (client spans)" }),
    server: z
      .object({ p50Ms: z.number().nullable(), p95Ms: z.number().nullable(), p99Ms: z.number().nullable() })
      .meta({ description: "latency measured by the callee (server spans); null when it is not instrumented" }),
  })
  .meta({ id: "EdgePoint" });
export type EdgePoint = z.infer<typeof edgePointSchema>;

export const getEdgeTimeseries = defineEndpoint({
  id: "getEdgeTimeseries",
  method: "GET",
  path: "/api/v1/service-map/edges/:source/:target/timeseries",
  tag: "service-map",
  summary: "One edge's requests, errors and client- and server-side p50/p95/p99 per step",
  description:
    "source and target are node ids as in the map, percent-encoded (service%3Acheckout). Every step is present; a step without calls has requests 0 and null latencies.",
  params: z.object({
    source: z.string().min(1, "source must be a node id such as service:frontend").max(1000),
    target: z.string().min(1, "target must be a node id such as service:checkout").max(1000),
  }),
  query: z.object({
    ...windowQuery,
    step: numberParam
      .pipe(z.number().min(1, "step must be 1..86400 seconds").max(86_400, "step must be 1..86400 seconds"))
      .optional()
      .meta({ description: "seconds (rounded to whole minutes); default ≈ window/60" }),
  }),
  window: true,
  errors: [404],
  response: z.object({
    source: z.string(),
    target: z.string(),
    stepSeconds: z.number(),
    points: z.array(edgePointSchema),
  }),
});

/** Largest map the layout endpoint takes (ELK's time grows faster than the graph). */
export const MAX_LAYOUT_NODES = 3000;
export const MAX_LAYOUT_EDGES = 15000;
const layoutNodeId = z.string().min(1, "a node id must not be empty").max(1000);

export const mapLayoutRequestSchema = z
  .object({
    nodes: z
      .array(
        z.object({
          id: layoutNodeId,
          group: z
            .string()
            .max(300)
            .nullable()
            .optional()
            .meta({ description: "the box the node is drawn in (namespace, environment); null: none" }),
        }),
      )
      .min(1, "nodes must list at least one node")
      .max(MAX_LAYOUT_NODES, `at most ${MAX_LAYOUT_NODES} nodes are laid out; focus the map or filter it`),
    edges: z
      .array(z.object({ id: z.string().max(2100), source: layoutNodeId, target: layoutNodeId }))
      .max(MAX_LAYOUT_EDGES, `at most ${MAX_LAYOUT_EDGES} edges are laid out; focus the map or filter it`),
    fresh: z
      .boolean()
      .optional()
      .meta({ description: "true: lay the map out anew (the UI's Relayout), not from an earlier layout" }),
  })
  .meta({ id: "MapLayoutRequest" });
export type MapLayoutRequest = z.infer<typeof mapLayoutRequestSchema>;

export const mapLayoutSchema = z
  .object({
    positions: z
      .record(z.string(), z.object({ x: z.number(), y: z.number() }))
      .meta({ description: "top-left corner of each node's 180 × 46 box, by node id" }),
    source: z.enum(["cache", "extended", "computed"]).meta({
      description:
        "cache: this topology was laid out before; extended: an earlier layout of most of these nodes, new nodes placed beside their neighbours; computed: laid out now",
    }),
  })
  .meta({ id: "MapLayout" });
export type MapLayout = z.infer<typeof mapLayoutSchema>;

export const layoutServiceMap = defineEndpoint({
  id: "layoutServiceMap",
  method: "POST",
  path: "/api/v1/service-map/layout",
  tag: "service-map",
  summary: "Positions for a map's nodes (layered layout, cached by topology on the server)",
  description:
    "Send the nodes (with their group, when grouped) and edges as the map shows them; the answer places every node. The same topology is answered from the server's cache; a topology that shares most nodes with one laid out before keeps their places.",
  body: mapLayoutRequestSchema,
  bodyName: "layout",
  errors: [503],
  response: mapLayoutSchema,
});
