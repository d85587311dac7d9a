import "server-only";
import type { Policy } from "../policy/schema";
import type { CouplingModel } from "../model/build-model";
import { EvidenceAcc } from "../model/build-model";
import { buildDependencyGraph } from "../graph/dependency-graph";
import { KIND, type Finding, type Level } from "../types";
import { edgeId, makeFinding } from "./common";

type Dep = Policy["dependencies"]["allow"][number];

function matcher(pattern: string): (s: string) => boolean {
  if (pattern === "*") return () => true;
  if (!pattern.includes("*")) return (s) => s === pattern;
  const re = new RegExp(
    "^" +
      pattern
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*") +
      "$",
  );
  return (s) => re.test(s);
}

/** A policy entry matches an edge when its side names the owner group or one of its services. */
function depMatches(d: Dep, from: string, fromServices: string[], to: string, toServices: string[]): boolean {
  const f = matcher(d.from);
  const t = matcher(d.to);
  return (f(from) || fromServices.some(f)) && (t(to) || toServices.some(t));
}

const levelOf: Record<"info" | "warning" | "critical", Level> = { info: "info", warning: "medium", critical: "high" };

/**
 * Declared architecture rules seen in traffic: a dependency (sync call, or messages
 * through a destination) matching `dependencies.forbid`, or, with `default: deny`, not
 * matching `dependencies.allow`. Any call counts: the policy is explicit, so no minimum
 * support applies beyond one call.
 */
export function detectForbiddenDependencies(m: CouplingModel, policy: Policy, _now: number): Finding[] {
  const deps = policy.dependencies;
  if (deps.forbid.length === 0 && deps.default === "allow") return [];
  const own = m.ownership;
  const loose = { ...policy, settings: { ...policy.settings, minCalls: 1, minTraces: 1, minShare: 0 } };
  const edges: Array<{
    from: string;
    to: string;
    fromServices: string[];
    toServices: string[];
    ev: EvidenceAcc;
    via: string;
  }> = buildDependencyGraph(m, loose).edges.map((e) => ({
    from: e.from,
    to: e.to,
    fromServices: e.fromServices,
    toServices: e.toServices,
    ev: e.evidence,
    via: "sync calls",
  }));
  // Async: producer owner -> consumer owner through the same destination.
  const producers = new Map<string, Map<string, EvidenceAcc>>();
  const consumers = new Map<string, Map<string, EvidenceAcc>>();
  for (const s of m.spans) {
    if ((s.kind !== KIND.PRODUCER && s.kind !== KIND.CONSUMER) || !s.sc.messagingDestination) continue;
    const dest = `${(s.sc.messagingSystem ?? "").toLowerCase()}/${s.sc.messagingDestination}`;
    const side = s.kind === KIND.PRODUCER ? producers : consumers;
    let byService = side.get(dest);
    if (!byService) side.set(dest, (byService = new Map()));
    let ev = byService.get(s.service);
    if (!ev) byService.set(s.service, (ev = new EvidenceAcc()));
    ev.add(s);
  }
  for (const [dest, ps] of producers) {
    for (const [p, pev] of ps) {
      for (const [c, cev] of consumers.get(dest) ?? []) {
        if (own.ownerOf(p) === own.ownerOf(c)) continue;
        const ev = new EvidenceAcc();
        ev.merge(pev);
        ev.merge(cev);
        edges.push({
          from: own.ownerOf(p),
          to: own.ownerOf(c),
          fromServices: [p],
          toServices: [c],
          ev,
          via: `messages on ${dest}`,
        });
      }
    }
  }
  const findings = new Map<string, Finding>();
  for (const e of edges) {
    const forbid = deps.forbid.find((d) => depMatches(d, e.from, e.fromServices, e.to, e.toServices));
    const allowed = deps.allow.some((d) => depMatches(d, e.from, e.fromServices, e.to, e.toServices));
    if (!forbid && (deps.default === "allow" || allowed)) continue;
    const id = `${e.from}->${e.to}`;
    if (findings.has(id)) continue;
    const reason = forbid?.reason ? ` Reason given in the policy: ${forbid.reason}.` : "";
    findings.set(
      id,
      makeFinding({
        rule: "forbidden-dependency",
        subject: id,
        level: forbid?.severity ? levelOf[forbid.severity] : "high",
        title: `${e.from} depends on ${e.to}, which the policy ${forbid ? "forbids" : "does not allow"}`,
        message:
          `${e.from} reaches ${e.to} through ${e.via} (${e.ev.calls} spans in this window), but cartograph.yaml ` +
          (forbid
            ? `forbids ${forbid.from} → ${forbid.to}.`
            : `denies dependencies not listed under dependencies.allow.`) +
          reason +
          ` Remove the dependency (use events or go through the owning service), or change the policy if the architecture changed.`,
        services: [...e.fromServices, ...e.toServices],
        resources: [edgeId(e.fromServices[0]!, e.toServices[0]!)],
        evidence: e.ev,
        extra: {
          from: e.from,
          to: e.to,
          via: e.via,
          rule: forbid ? { from: forbid.from, to: forbid.to } : { default: "deny" },
        },
      }),
    );
  }
  return [...findings.values()];
}
