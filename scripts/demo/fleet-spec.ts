// The fleet's static description, shared by the launcher (which forks one process per entry)
// and the child processes (which read their slice of it from the environment).

export interface FleetServiceSpec {
  /** resource service.name */
  name: string;
  /** module under scripts/demo/services/ that implements it */
  module: string;
  /** whether the launcher allocates a listening port for it */
  listens: boolean;
}

export const FLEET_SERVICES: readonly FleetServiceSpec[] = [
  { name: "api-gateway", module: "api-gateway", listens: true },
  { name: "catalog", module: "catalog", listens: true },
  { name: "cart", module: "cart", listens: true },
  { name: "checkout", module: "checkout", listens: true },
  { name: "accounts", module: "accounts", listens: true },
  { name: "payments", module: "payments", listens: true },
  { name: "inventory", module: "inventory", listens: true },
  { name: "billing", module: "billing", listens: false },
  { name: "fulfillment", module: "order-consumer", listens: true },
  { name: "notifications", module: "order-consumer", listens: true },
  // Last: the load generator starts once every callee is listening.
  { name: "web-frontend", module: "web-frontend", listens: false },
];

/** topic → consumer services (each is its own consumer group, named after the service). */
export const TOPIC_SUBSCRIPTIONS: Readonly<Record<string, readonly string[]>> = {
  orders: ["fulfillment", "notifications"],
};

/** The path on which consumers receive broker deliveries; excluded from HTTP tracing. */
export const DELIVERY_PATH = "/__deliver";

/** Everything a child process needs, passed as one JSON env variable (DEMO_CHILD_CONFIG). */
export interface ChildConfig {
  service: string;
  module: string;
  instanceId: string;
  version: string;
  endpoint: string;
  /** service name → 127.0.0.1 port */
  ports: Record<string, number>;
  brokerUrl: string;
  fleetStartMs: number;
  rps: number;
  faults: boolean;
}

export const CHILD_CONFIG_ENV = "DEMO_CHILD_CONFIG";

/** Per-service versions, so resources look like a real fleet (and not all identical). */
export const SERVICE_VERSIONS: Readonly<Record<string, string>> = {
  "web-frontend": "3.2.0",
  "api-gateway": "2.8.1",
  catalog: "1.14.3",
  cart: "1.6.0",
  checkout: "4.1.2",
  accounts: "2.0.7",
  payments: "5.3.0",
  inventory: "1.9.4",
  billing: "0.9.12",
  fulfillment: "1.2.0",
  notifications: "1.0.5",
};
