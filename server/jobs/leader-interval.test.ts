import { describe, expect, it } from "vitest";
import { runEveryAsLeader, type LeaderJobs } from "./leader-interval";

const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A leader election stand-in: promote() and demote() call the registered jobs as the real one does. */
function fakeLeader() {
  const jobs: { start: () => void | Promise<void>; stop: () => void | Promise<void> }[] = [];
  const leader: LeaderJobs = { runAsLeader: async (_n, start, stop) => void jobs.push({ start, stop }) };
  return {
    leader,
    promote: async () => {
      for (const j of jobs) await j.start();
    },
    demote: async () => {
      for (const j of jobs) await j.stop();
    },
  };
}

describe("runEveryAsLeader", () => {
  it("runs only while leader, never two runs at once, and demotion waits for the run in flight", async () => {
    const l = fakeLeader();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let finished = 0;
    await runEveryAsLeader(
      l.leader,
      "job",
      5,
      async () => {
        runs++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(15);
        running--;
        finished++;
      },
      log,
    );
    await sleep(30);
    expect(runs).toBe(0);
    await l.promote();
    for (let i = 0; i < 200 && runs < 3; i++) await sleep(10);
    await l.demote();
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(finished).toBe(runs);
    expect(maxRunning).toBe(1);
    const after = runs;
    await sleep(60);
    expect(runs).toBe(after);
  });

  it("keeps running after a failed run", async () => {
    const l = fakeLeader();
    let runs = 0;
    await runEveryAsLeader(
      l.leader,
      "job",
      5,
      async () => {
        runs++;
        throw new Error("store unreachable");
      },
      log,
    );
    await l.promote();
    for (let i = 0; i < 200 && runs < 3; i++) await sleep(10);
    await l.demote();
    expect(runs).toBeGreaterThanOrEqual(3);
  });
});
