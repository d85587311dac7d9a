import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../platform/logger";
import { MapLayoutService } from "./layout-service";

const FAKE = new URL("./layout-fake-thread.mjs", import.meta.url);
let service: MapLayoutService | null = null;
afterEach(async () => {
  await service?.close();
  service = null;
});

const chain = (n: number) => {
  const ids = Array.from({ length: n }, (_, i) => `service:s${i}`);
  return {
    nodes: ids.map((id) => ({ id, group: null })),
    edges: ids.slice(1).map((id, i) => ({ id: `${ids[i]}->${id}`, source: ids[i]!, target: id })),
  };
};
const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
};

describe("map layout service", () => {
  it("stops its thread when idle and starts it again for the next new map, cached maps needing none", async () => {
    service = new MapLayoutService({ log: createLogger("error"), idleMs: 200, workerUrl: FAKE });
    const first = await service.layout(chain(3));
    expect(first.source).toBe("computed");
    expect(Object.keys(first.positions)).toHaveLength(3);
    expect(service.threadRunning).toBe(true);
    await until(() => !service!.threadRunning);
    expect(service.threadRunning).toBe(false);

    // A cached map is answered without the thread.
    expect((await service.layout(chain(3))).source).toBe("cache");
    expect(service.layoutIfKnown(chain(3))?.source).toBe("cache");
    expect(service.threadRunning).toBe(false);

    // A map unlike any cached one needs ELK: the thread comes back for it, then leaves again.
    const other = { nodes: [{ id: "db:x", group: null }], edges: [] };
    expect(service.layoutIfKnown(other)).toBeNull();
    expect((await service.layout(other)).source).toBe("computed");
    expect(service.threadRunning).toBe(true);
    await until(() => !service!.threadRunning);
    expect(service.threadRunning).toBe(false);
  });

  it("keeps the thread started by warm() only until it has been idle that long", async () => {
    service = new MapLayoutService({ log: createLogger("error"), idleMs: 200, workerUrl: FAKE });
    service.warm();
    expect(service.threadRunning).toBe(true);
    await until(() => !service!.threadRunning);
    expect(service.threadRunning).toBe(false);
  });
});
