import "server-only";
import { environmentOfNodeId, withEnvironment } from "../../../lib/node-id";
import { OVERFLOW_NAME } from "../cardinality-guard";
import type { EdgeCall, NodeRef } from "./types";

/**
 * Bounds the peer nodes (databases, queues, external hosts, callers: every node that is not a
 * service) the graph keeps, whatever peer names senders put in attributes: past `maxPeers`
 * distinct ids, a new peer becomes its kind's overflow node (`external:(overflow)`, per
 * environment), so its calls still count. Service names are bounded before pairing (see
 * cardinality-guard.ts).
 */
export class PeerGuard {
  private readonly known = new Set<string>();
  folded = 0;

  constructor(private readonly maxPeers: number) {}

  /** Admits stored node ids (service ids are ignored) within the limit. */
  seed(ids: Iterable<string>): void {
    for (const id of ids) if (!isService(id) && this.known.size < this.maxPeers) this.known.add(id);
  }

  bound(c: EdgeCall): EdgeCall {
    const source = this.boundNode(c.source);
    const target = this.boundNode(c.target);
    if (source === c.source && target === c.target) return c;
    this.folded++;
    return { ...c, source, target };
  }

  get size(): number {
    return this.known.size;
  }

  private boundNode(n: NodeRef): NodeRef {
    if (n.kind === "service" || this.known.has(n.id)) return n;
    if (this.known.size < this.maxPeers) {
      this.known.add(n.id);
      return n;
    }
    return {
      id: withEnvironment(`${n.kind}:${OVERFLOW_NAME}`, environmentOfNodeId(n.id)),
      kind: n.kind,
      name: OVERFLOW_NAME,
      environment: n.environment,
    };
  }
}

const isService = (id: string) => id.startsWith("service:");
