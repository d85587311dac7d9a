// Ground truth for the demo fleet: the nodes and edges a correct service graph shows once
// the fleet has run for a minute, and the coupling findings a correct detector reports,
// no more and no less. Node and edge ids follow the service-map contract (lib/contract/service-map.ts).
// Tests compare the API's answers with this; keep it in step with scripts/demo/services/.

export type NodeKind = "service" | "database" | "messaging" | "external" | "client";
export type Protocol = "http" | "grpc" | "db" | "messaging";

export interface ExpectedNode {
  id: string;
  kind: NodeKind;
  name: string;
  system?: string;
  host?: string;
  port?: number;
  database?: string;
}

export interface ExpectedEdge {
  id: string;
  source: string;
  target: string;
  protocol: Protocol;
}

export interface ExpectedFinding {
  /** which deliberate fault (README.md) it reports */
  fault: 1 | 2 | 3 | 4;
  rule: string;
  /** sorted, as in the API */
  services: string[];
  resources?: string[];
  /** false: a correct detector may report it (it restates a fault at a finer grain); a test
   * must accept it but not demand it */
  required: boolean;
}

const service = (name: string): ExpectedNode => ({ id: `service:${name}`, kind: "service", name });
const database = (system: string, host: string, port: number, db: string): ExpectedNode => ({
  id: `database:${system}://${host}:${port}/${db}`,
  kind: "database",
  name: db,
  system,
  host,
  port,
  database: db,
});

export const SERVICE_NAMES = [
  "web-frontend",
  "api-gateway",
  "catalog",
  "cart",
  "checkout",
  "accounts",
  "payments",
  "inventory",
  "billing",
  "fulfillment",
  "notifications",
] as const;

export const DATABASE_NODES = {
  catalog: database("postgresql", "catalog-db", 5432, "catalog"),
  users: database("postgresql", "users-db", 5432, "users"),
  inventory: database("mysql", "inventory-db", 3306, "inventory"),
  payments: database("postgresql", "payments-db", 5432, "payments"),
  orders: database("postgresql", "orders-db", 5432, "orders"),
  cache: database("redis", "cache-redis", 6379, "0"),
} as const;

export const ORDERS_TOPIC: ExpectedNode = {
  id: "messaging:kafka/orders",
  kind: "messaging",
  name: "orders",
  system: "kafka",
};
export const STRIPE: ExpectedNode = { id: "external:api.stripe.example", kind: "external", name: "api.stripe.example" };

const s = (name: string) => `service:${name}`;
const edge = (source: string, target: string, protocol: Protocol): ExpectedEdge => ({
  id: `${source}->${target}`,
  source,
  target,
  protocol,
});

export const EXPECTED_TOPOLOGY = {
  /** every node except the caller node of the gateway bypass (see bypassEntry) */
  nodes: [...SERVICE_NAMES.map(service), ...Object.values(DATABASE_NODES), ORDERS_TOPIC, STRIPE] as ExpectedNode[],
  edges: [
    edge(s("web-frontend"), s("api-gateway"), "http"),
    edge(s("api-gateway"), s("catalog"), "http"),
    edge(s("api-gateway"), s("cart"), "http"),
    edge(s("api-gateway"), s("checkout"), "http"),
    edge(s("api-gateway"), s("accounts"), "http"),
    edge(s("catalog"), s("inventory"), "http"),
    edge(s("inventory"), s("catalog"), "http"),
    edge(s("cart"), s("catalog"), "http"),
    edge(s("checkout"), s("payments"), "grpc"),
    edge(s("checkout"), s("inventory"), "http"),
    edge(s("payments"), STRIPE.id, "http"),
    edge(s("catalog"), DATABASE_NODES.catalog.id, "db"),
    edge(s("accounts"), DATABASE_NODES.users.id, "db"),
    edge(s("inventory"), DATABASE_NODES.inventory.id, "db"),
    edge(s("payments"), DATABASE_NODES.payments.id, "db"),
    edge(s("checkout"), DATABASE_NODES.orders.id, "db"),
    edge(s("billing"), DATABASE_NODES.orders.id, "db"),
    edge(s("cart"), DATABASE_NODES.cache.id, "db"),
    edge(s("checkout"), ORDERS_TOPIC.id, "messaging"),
    edge(ORDERS_TOPIC.id, s("fulfillment"), "messaging"),
    edge(ORDERS_TOPIC.id, s("notifications"), "messaging"),
  ] as ExpectedEdge[],
  /**
   * The browser's direct calls to accounts arrive as root SERVER spans (no traceparent) with
   * one of four browser user agents (Chrome, Safari macOS, Firefox, Safari iOS). API.md leaves
   * the caller node's id open (Cartograph names them by browser family: client:chrome,
   * client:firefox, client:safari), so match by kind: one or more nodes of kind "client",
   * whose only edges go to service:accounts.
   */
  bypassEntry: { callerKind: "client" as const, target: s("accounts"), protocol: "http" as const },
  /** spans of billing carry only legacy names (db.system, db.name, net.peer.*, db.statement) */
  legacyConventionServices: ["billing"],
  findings: [
    {
      fault: 1,
      rule: "shared-database",
      services: ["billing", "checkout"],
      resources: [DATABASE_NODES.orders.id],
      required: true,
    },
    {
      fault: 1,
      rule: "shared-table",
      services: ["billing", "checkout"],
      resources: [DATABASE_NODES.orders.id],
      required: false,
    },
    { fault: 2, rule: "cyclic-dependency", services: ["catalog", "inventory"], required: true },
    { fault: 3, rule: "chatty-communication", services: ["cart", "catalog"], required: true },
    { fault: 4, rule: "gateway-bypass", services: ["accounts"], required: true },
  ] as ExpectedFinding[],
} as const;
