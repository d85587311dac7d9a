import "server-only";
import { userAgentFamily } from "../../aggregate/servicegraph";
import type { Policy } from "../policy/schema";
import type { CouplingModel } from "../model/build-model";
import { EvidenceAcc } from "../model/build-model";
import { KIND, type Finding, type ReadSpan } from "../types";
import { listNames, makeFinding, serviceNodeId } from "./common";
import { isInternalAddress } from "./net";

const ENTRY_ROLES = ["gateway", "bff", "webhook-receiver"] as const;
const PROBE_UA =
  /kube-probe|prometheus|healthcheck|health-check|elb-healthchecker|googlehc|consul|blackbox|uptime|pingdom/i;
const PROBE_ROUTE = /(^|\/)(health\w*|healthz|readyz?|livez?|liveness|readiness|metrics|ping|status)\/?$/i;
const BROWSER_UA = /Mozilla\/5\.0|Dalvik\/|CFNetwork\/|okhttp\/.*Android|Mobile Safari/i;

interface Entry {
  span: ReadSpan;
  fingerprint: string | null;
  explicitExternal: boolean;
}

/**
 * Traffic entering the system, read from the paired calls: calls into a SERVER span from an
 * uninstrumented caller (a root span), or from a pure client (a service that never serves:
 * browser app, load generator, job). Probes and scrapes are not traffic. A server whose parent
 * exists but was not stored has no call: broken propagation behind an uninstrumented ingress
 * must not look like direct access.
 */
function entriesOf(m: CouplingModel, pureClients: ReadonlySet<string>, cidrs: readonly string[]): Entry[] {
  const out: Entry[] = [];
  for (const c of m.calls) {
    const s = c.server;
    if (s === null || s.kind !== KIND.SERVER) continue;
    let fingerprint: string | null;
    let explicitExternal: boolean;
    if (c.caller === null) {
      const ua = s.sc.userAgent;
      const route =
        s.sc.httpRoute ??
        pathOf(s.sc.urlFull) ??
        strAttr(s.attributes["url.path"]) ??
        strAttr(s.attributes["http.target"]);
      if ((ua && PROBE_UA.test(ua)) || (route && PROBE_ROUTE.test(route.split("?")[0]!))) continue;
      const addr = s.sc.clientAddress;
      explicitExternal =
        (ua !== null && BROWSER_UA.test(ua) && !/bot|crawler|spider/i.test(ua)) ||
        (addr !== null && !isInternalAddress(addr, cidrs));
      fingerprint = addr !== null ? `addr:${addr}` : ua ? `ua:${userAgentFamily(ua) ?? ua}` : null;
    } else {
      const from = c.caller.service;
      if (from === s.service || !pureClients.has(from)) continue;
      fingerprint = `svc:${from}`;
      explicitExternal = m.ownership.hasRole(from, "client");
    }
    out.push({ span: s, fingerprint, explicitExternal });
  }
  return out;
}

/**
 * R9 gateway bypass. Traffic counts as external when it is explicitly so (public client
 * address, browser or mobile agent, caller with role `client`) or when it comes from the
 * same client as the gateway's own traffic (same client address, agent or calling
 * application): whoever reaches the gateway from outside and also reaches another
 * service directly is bypassing it. A service (other than gateway, bff or webhook
 * receiver) taking >= minShare of external entries is a bypass. Without any gateway,
 * several services taking external traffic is one "no gateway" finding.
 */
export function detectGatewayBypass(m: CouplingModel, policy: Policy, _now: number): Finding[] {
  const cfg = policy.rules["gateway-bypass"];
  const own = m.ownership;
  const serving = new Set<string>();
  for (const s of m.spans) if (s.kind === KIND.SERVER || s.kind === KIND.CONSUMER) serving.add(s.service);
  const pureClients = new Set([...m.services].filter((s) => !serving.has(s) || own.hasRole(s, "client")));
  const entries = entriesOf(m, pureClients, policy.settings.internalCidrs);
  const gateways = [...serving].filter((s) => own.hasRole(s, ...ENTRY_ROLES));
  const gatewayOwners = new Set(gateways.map(own.ownerOf));
  const gatewayPrints = new Set(
    entries.filter((e) => gatewayOwners.has(own.ownerOf(e.span.service)) && e.fingerprint).map((e) => e.fingerprint!),
  );
  const external = entries.filter(
    (e) =>
      e.explicitExternal ||
      (e.fingerprint !== null && gatewayPrints.has(e.fingerprint)) ||
      (cfg.loopbackIsExternal && e.fingerprint?.startsWith("addr:") && isLoopback(e.fingerprint.slice(5))),
  );
  const perService = new Map<string, EvidenceAcc>();
  for (const e of external) {
    let ev = perService.get(e.span.service);
    if (!ev) perService.set(e.span.service, (ev = new EvidenceAcc()));
    ev.add(e.span);
  }
  const total = external.length;
  const bypassing = [...perService]
    .filter(
      ([svc, ev]) =>
        !gatewayOwners.has(own.ownerOf(svc)) &&
        !own.hasRole(svc, ...ENTRY_ROLES) &&
        ev.calls >= cfg.minRequests &&
        ev.calls / total >= cfg.minShare,
    )
    .sort((a, b) => b[1].calls - a[1].calls);
  if (bypassing.length === 0) return [];
  if (gateways.length === 0) {
    if (bypassing.length < 2) return [];
    const ev = new EvidenceAcc();
    for (const [, e] of bypassing) ev.merge(e);
    const names = bypassing.map(([s]) => s);
    return [
      makeFinding({
        rule: "gateway-bypass",
        subject: "no-gateway",
        level: m.services.size > 50 ? "high" : "medium",
        title: `No API gateway: ${names.length} services take external traffic directly`,
        message:
          `${listNames(names)} all receive requests straight from outside clients and no service has the gateway role. ` +
          `Clients are bound to the internal topology and auth, rate limits and TLS are repeated in each service. ` +
          `Put a gateway in front of them, or declare the existing one under roles.gateway in cartograph.yaml.`,
        services: names,
        resources: names.map(serviceNodeId),
        evidence: ev,
        extra: { externalRequests: total, entryServices: Object.fromEntries(bypassing.map(([s, e]) => [s, e.calls])) },
      }),
    ];
  }
  return bypassing.map(([svc, ev]) =>
    makeFinding({
      rule: "gateway-bypass",
      subject: svc,
      level: "medium",
      title: `External traffic reaches ${svc} without the gateway`,
      message:
        `${ev.calls} external requests (${((ev.calls / total) * 100).toFixed(1)} % of all external entries) went straight to ${svc} instead of through ${listNames(gateways.sort())}. ` +
        `Clients that bypass the gateway skip its auth, rate limiting and routing, and are bound to ${svc}'s address. ` +
        `Route these clients through the gateway and stop exposing ${svc}; if it is a webhook receiver, give it that role in cartograph.yaml.`,
      services: [svc],
      resources: [serviceNodeId(svc)],
      evidence: ev,
      extra: {
        externalRequests: ev.calls,
        share: Math.round((ev.calls / total) * 1000) / 1000,
        gateways: gateways.sort(),
      },
    }),
  );
}

function isLoopback(addr: string): boolean {
  return addr === "::1" || addr.startsWith("127.") || addr === "localhost" || addr === "::ffff:127.0.0.1";
}

function pathOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

function strAttr(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}
