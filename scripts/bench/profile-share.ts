/**
 * Share of a process's busy CPU spent in given code, read from the V8 CPU profiles that
 * `node --cpu-prof` writes (one file per thread). A sample counts for the code when the
 * nearest frame that has a source address (skipping natives, builtins and the garbage
 * collector) belongs to it: a wrapper high on the stack (a span around a whole request)
 * does not claim its callee's work. Idle samples are left out; garbage collection and
 * unattributed native time count as busy but belong to no code. Unlike comparing two
 * processes, this is not swayed by what else runs on the machine.
 */
import fs from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  busySeconds: number;
  matchedSeconds: number;
  share: number;
}

type CallFrame = ProfileNode["callFrame"];

/** Reads every `.cpuprofile` in `dir` and measures the share of busy time whose frame `isOwn` claims. */
export function measureProfileShare(dir: string, isOwn: (frame: CallFrame) => boolean): ProfileShare {
  let busy = 0;
  let matched = 0;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const owner = new Map<number, boolean>();
    const ownerOf = (id: number): boolean => {
      const known = owner.get(id);
      if (known !== undefined) return known;
      const frame = byId.get(id)!.callFrame;
      const up = parent.get(id);
      const result = frame.url ? isOwn(frame) : up !== undefined && ownerOf(up);
      owner.set(id, result);
      return result;
    };
    profile.samples.forEach((id, i) => {
      const name = byId.get(id)!.callFrame.functionName;
      if (name === "(idle)") return;
      const micros = profile.timeDeltas[i] ?? 0;
      busy += micros;
      if (ownerOf(id)) matched += micros;
    });
  }
  return {
    busySeconds: Math.round(busy / 1e4) / 100,
    matchedSeconds: Math.round(matched / 1e4) / 100,
    share: busy > 0 ? Math.round((matched / busy) * 1e4) / 1e4 : 0,
  };
}
