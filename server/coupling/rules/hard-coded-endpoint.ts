import "server-only";
import type { Policy } from "../policy/schema";
import type { CouplingModel } from "../model/build-model";
import { EvidenceAcc } from "../model/build-model";
import { KIND, type Finding, type ReadSpan } from "../types";
import { edgeId, makeFinding } from "./common";
import { isIpLiteralHost, isLoopbackOrLinkLocal } from "./net";

/** The host the caller addressed (never the socket peer `network.peer.address`). */
function addressedHost(s: ReadSpan): string | null {
  for (const k of ["server.address", "net.peer.name", "peer.hostname"]) {
    const v = s.attributes[k];
    if (typeof v === "string" && v.trim() !== "") return v.trim().toLowerCase();
  }
  const url = s.attributes["url.full"] ?? s.attributes["http.url"];
  if (typeof url === "string") {
    try {
      return new URL(url).hostname.replace(/^\[|\]$/g, "").toLowerCase();
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * R10 hard-coded endpoints: a CLIENT call addressed to an IP literal that resolves to an
 * instrumented service B (it reached B's SERVER span, or the IP is one of B's k8s.pod.ip /
 * host.ip). Loopback and link-local targets (sidecars, cloud metadata) and database /
 * messaging calls are not counted. Low; medium when the IP is a pod IP (ephemeral).
 */
export function detectHardCodedEndpoints(m: CouplingModel, policy: Policy, _now: number): Finding[] {
  const cfg = policy.rules["hard-coded-endpoint"];
  const ipOwner = new Map<string, { service: string; pod: boolean }>();
  for (const [svc, f] of m.facts) {
    for (const ip of f.ips) if (!ipOwner.has(ip)) ipOwner.set(ip, { service: svc, pod: false });
    for (const ip of f.podIps) ipOwner.set(ip, { service: svc, pod: true });
  }
  const acc = new Map<string, { caller: string; callee: string; ip: string; pod: boolean; ev: EvidenceAcc }>();
  for (const s of m.spans) {
    if (s.kind !== KIND.CLIENT || s.sc.dbSystem || s.sc.messagingSystem) continue;
    const host = addressedHost(s);
    if (!host || !isIpLiteralHost(host) || isLoopbackOrLinkLocal(host)) continue;
    const srv = m.serverOf.get(s);
    const known = ipOwner.get(host);
    const callee = srv?.service ?? known?.service;
    if (!callee || callee === s.service) continue;
    const key = `${s.service}\u0000${callee}\u0000${host}`;
    let a = acc.get(key);
    if (!a)
      acc.set(key, (a = { caller: s.service, callee, ip: host, pod: known?.pod ?? false, ev: new EvidenceAcc() }));
    a.ev.add(s);
  }
  const findings: Finding[] = [];
  for (const a of acc.values()) {
    if (a.ev.calls < cfg.minCalls) continue;
    findings.push(
      makeFinding({
        rule: "hard-coded-endpoint",
        subject: `${a.caller}->${a.callee}@${a.ip}`,
        level: a.pod ? "medium" : "low",
        title: `${a.caller} calls ${a.callee} by IP address ${a.ip}`,
        message:
          `${a.caller} addresses ${a.callee} as ${a.ip}${a.pod ? " (a pod IP, which changes on every restart)" : ""} instead of a service name. ` +
          `The call breaks when ${a.callee} is rescheduled or scaled, and it cannot be load-balanced or moved. ` +
          `Use service discovery: a DNS/service name or the platform's service registry.`,
        services: [a.caller, a.callee],
        resources: [edgeId(a.caller, a.callee)],
        evidence: a.ev,
        extra: { ip: a.ip, podIp: a.pod },
      }),
    );
  }
  return findings;
}
