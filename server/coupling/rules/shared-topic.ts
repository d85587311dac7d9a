import "server-only";
import { messagingNode } from "../../aggregate/servicegraph";
import type { Policy } from "../policy/schema";
import type { CouplingModel } from "../model/build-model";
import { EvidenceAcc } from "../model/build-model";
import { KIND, type Finding } from "../types";
import { listNames, makeFinding } from "./common";

/** Destinations with many writers by design: dead-letter, retry, reply and temporary queues. */
const MANY_WRITERS_BY_DESIGN =
  /(^|[-_.])(dlq|dlt|dead[-_.]?letter|retry|retries|reply|replies|errors?)([-_.]|$)|^amq\.gen|^tmp[-_.]|^temp[-_.]|-changelog$|-repartition$/i;

interface DestAcc {
  system: string;
  name: string;
  producers: Map<string, { services: Set<string>; spans: number }>;
  groups: Map<string, Map<string, { services: Set<string>; spans: number }>>;
  consumerOwners: Set<string>;
  ev: EvidenceAcc;
}

/**
 * R15 messaging ownership. One (destination, consumer group) consumed by >= 2 owner groups
 * is high (they compete for messages, each seeing a random subset). A destination written
 * by >= 2 owner groups is info (no clear schema owner), unless one owner consumes it all
 * (a command channel) or it is a dead-letter/retry/reply queue; with >= godTopicMin
 * writers and readers it is a "god topic" (info).
 */
export function detectSharedTopics(m: CouplingModel, policy: Policy, _now: number): Finding[] {
  const cfg = policy.rules["shared-topic"];
  const own = m.ownership;
  const dests = new Map<string, DestAcc>();
  for (const s of m.spans) {
    if (s.kind !== KIND.PRODUCER && s.kind !== KIND.CONSUMER) continue;
    const name = s.sc.messagingDestination;
    if (!name) continue;
    const system = (s.sc.messagingSystem ?? "unknown").toLowerCase();
    const key = `${system}/${name}`;
    let d = dests.get(key);
    if (!d)
      dests.set(
        key,
        (d = {
          system,
          name,
          producers: new Map(),
          groups: new Map(),
          consumerOwners: new Set(),
          ev: new EvidenceAcc(),
        }),
      );
    const owner = own.ownerOf(s.service);
    let bucket: Map<string, { services: Set<string>; spans: number }>;
    if (s.kind === KIND.PRODUCER) bucket = d.producers;
    else {
      const group = s.sc.messagingConsumerGroup ?? "";
      bucket = d.groups.get(group) ?? new Map();
      d.groups.set(group, bucket);
      d.consumerOwners.add(owner);
    }
    let b = bucket.get(owner);
    if (!b) bucket.set(owner, (b = { services: new Set(), spans: 0 }));
    b.services.add(s.service);
    b.spans++;
    d.ev.add(s);
  }
  const findings: Finding[] = [];
  for (const [key, d] of dests) {
    const resource = messagingNode(d.system, d.name, null).id;
    for (const [group, owners] of d.groups) {
      if (group === "") continue;
      const real = [...owners].filter(([, b]) => b.spans >= cfg.minSpans);
      if (real.length < 2) continue;
      const names = real.map(([o]) => o).sort();
      findings.push(
        makeFinding({
          rule: "shared-topic",
          subject: `${key}#${group}`,
          level: "high",
          title: `${names.length} services share consumer group ${group} on ${d.name}`,
          message:
            `${listNames(names)} consume ${d.system} destination ${d.name} in the same consumer group "${group}", so they compete: each sees a random subset of the messages. ` +
            `This is usually a copy-pasted group id or hidden coupling. Give each service its own consumer group, or make one service the only consumer.`,
          services: real.flatMap(([, b]) => [...b.services]),
          resources: [resource],
          evidence: d.ev,
          extra: { kind: "shared-consumer-group", destination: d.name, system: d.system, group, owners: names },
        }),
      );
    }
    if (MANY_WRITERS_BY_DESIGN.test(d.name)) continue;
    const writers = [...d.producers].filter(([, b]) => b.spans >= cfg.minSpans);
    if (writers.length < 2) continue;
    const writerNames = writers.map(([o]) => o).sort();
    const god = writers.length >= cfg.godTopicMin && d.consumerOwners.size >= cfg.godTopicMin;
    const commandChannel = d.consumerOwners.size === 1 && !writerNames.includes([...d.consumerOwners][0]!);
    if (commandChannel && !god) continue;
    findings.push(
      makeFinding({
        rule: "shared-topic",
        subject: key,
        level: "info",
        title: god
          ? `God topic ${d.name}: ${writers.length} publishers, ${d.consumerOwners.size} subscribers`
          : `${writers.length} services publish to ${d.name}`,
        message:
          `${listNames(writerNames)} all publish to ${d.system} destination ${d.name}, so the message schema has no single owner and a change by one publisher can break every consumer. ` +
          `Give the topic one owning publisher (others send it commands), or split it into one topic per event type and owner.`,
        services: writers.flatMap(([, b]) => [...b.services]),
        resources: [resource],
        evidence: d.ev,
        extra: {
          kind: god ? "god-topic" : "multi-writer",
          destination: d.name,
          system: d.system,
          producers: writerNames,
          consumers: [...d.consumerOwners].sort(),
        },
      }),
    );
  }
  return findings;
}
