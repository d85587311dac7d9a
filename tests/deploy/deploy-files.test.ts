import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse } from "yaml";
import { ConfigSchema, loadConfig } from "../../server/platform/config";

/**
 * The deployment files (Dockerfile, docker-compose.yml, deploy/k8s) name only variables the
 * config module knows, with values it accepts: a renamed or mistyped setting fails here, not
 * in a user's cluster. Docker itself does not run on the test machines: this checks the files.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (p: string) => readFileSync(path.join(ROOT, p), "utf8");
const KNOWN = new Set(Object.keys(ConfigSchema.shape));

type Env = Record<string, string>;

/** `ENV A=1 B=2` instructions of the last stage (continuation lines joined). */
function dockerfile() {
  const lines = read("Dockerfile").replace(/\\\n/g, " ").split("\n");
  const stages = lines.filter((l) => /^FROM\s/i.test(l));
  const lastFrom = lines.reduce((at, l, i) => (/^FROM\s/i.test(l) ? i : at), 0);
  const last = lines.slice(lastFrom);
  const env: Env = {};
  for (const l of last.filter((x) => /^ENV\s/i.test(x))) {
    for (const m of l.replace(/^ENV\s+/i, "").matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g))
      env[m[1]!] = m[2]!.replace(/^"|"$/g, "");
  }
  const user = last
    .filter((l) => /^USER\s/i.test(l))
    .pop()
    ?.split(/\s+/)[1];
  const healthcheck = last.filter((l) => /^HEALTHCHECK\s/i.test(l)).join(" ");
  return { stages: stages.length, env, user, healthcheck };
}

function composeServices(): Record<string, { environment?: Env; build?: unknown; image?: string }> {
  return parse(read("docker-compose.yml"), { merge: true }).services;
}

/** Each container of the manifests with the environment it gets (ConfigMaps, Secrets, env). */
function k8sContainers() {
  const docs = readdirSync(path.join(ROOT, "deploy/k8s"))
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(read(`deploy/k8s/${f}`)).map((d) => d.toJS()))
    .filter(Boolean);
  const maps = new Map<string, Env>();
  for (const d of docs) {
    if (d.kind === "ConfigMap") maps.set(`configMap/${d.metadata.name}`, d.data ?? {});
    if (d.kind === "Secret") maps.set(`secret/${d.metadata.name}`, d.stringData ?? {});
  }
  const containers = docs
    .filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet")
    .flatMap(
      (d) =>
        d.spec.template.spec.containers as {
          name: string;
          env?: { name: string; value?: string }[];
          envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
          readinessProbe?: { httpGet?: { path: string } };
        }[],
    );
  return { docs, maps, containers };
}

function containerEnv(c: ReturnType<typeof k8sContainers>["containers"][number], maps: Map<string, Env>): Env {
  const env: Env = {};
  for (const from of c.envFrom ?? []) {
    const key = from.configMapRef ? `configMap/${from.configMapRef.name}` : `secret/${from.secretRef!.name}`;
    const m = maps.get(key);
    if (!m) throw new Error(`${c.name}: envFrom ${key} is not among the manifests`);
    Object.assign(env, m);
  }
  for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = String(e.value);
  return env;
}

const cartographVars = (env: Env) => Object.keys(env).filter((k) => k.startsWith("CARTOGRAPH_"));

describe("deployment files", () => {
  it("Dockerfile: multi-stage, non-root, health-checked on /readyz, known settings", () => {
    const d = dockerfile();
    expect(d.stages).toBeGreaterThanOrEqual(2);
    expect(d.user).toBeTruthy();
    expect(["root", "0"]).not.toContain(d.user);
    expect(d.healthcheck).toContain("/readyz");
    expect(cartographVars(d.env).filter((k) => !KNOWN.has(k))).toEqual([]);
    expect(() => loadConfig(d.env)).not.toThrow();
  });

  it("docker-compose.yml: two instances, PostgreSQL, ClickHouse, a load balancer; every setting valid", () => {
    const services = composeServices();
    const instances = Object.entries(services).filter(([, s]) => s.build !== undefined);
    expect(instances).toHaveLength(2);
    expect(Object.values(services).some((s) => s.image?.startsWith("postgres"))).toBe(true);
    expect(Object.values(services).some((s) => s.image?.startsWith("clickhouse/"))).toBe(true);
    expect(Object.values(services).some((s) => /^(nginx|haproxy|caddy|traefik)/.test(s.image ?? ""))).toBe(true);
    const image = dockerfile().env;
    for (const [name, s] of instances) {
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
      expect(
        cartographVars(env).filter((k) => !KNOWN.has(k)),
        name,
      ).toEqual([]);
      const config = loadConfig({ ...image, ...env });
      expect(config.CARTOGRAPH_CONTROL_DATABASE_URL, name).toMatch(/^postgres/);
    }
  });

  it("deploy/k8s: probes on /readyz, every setting from ConfigMaps, Secrets and env valid", () => {
    const { maps, containers } = k8sContainers();
    expect(containers.length).toBeGreaterThan(0);
    const image = dockerfile().env;
    for (const c of containers) {
      expect(c.readinessProbe?.httpGet?.path).toBe("/readyz");
      const env = containerEnv(c, maps);
      expect(
        cartographVars(env).filter((k) => !KNOWN.has(k)),
        c.name,
      ).toEqual([]);
      expect(loadConfig({ ...image, ...env }).CARTOGRAPH_CONTROL_DATABASE_URL, c.name).toMatch(/^postgres/);
    }
    for (const [key, m] of maps)
      expect(
        cartographVars(m).filter((k) => !KNOWN.has(k)),
        key,
      ).toEqual([]);
  });

  it("catches a variable the config module does not know", () => {
    expect(KNOWN.has("CARTOGRAPH_CONTROL_DATABASE_URL")).toBe(true);
    expect(KNOWN.has("CARTOGRAPH_CONTRL_DATABASE_URL")).toBe(false);
    expect(() => loadConfig({ CARTOGRAPH_CONTROL_DATABASE_URL: "mysql://x" })).toThrow(
      /CARTOGRAPH_CONTROL_DATABASE_URL/,
    );
  });
});
