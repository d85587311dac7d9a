import { describe, expect, it } from "vitest";
import { HoverStore } from "./hover-store";

describe("HoverStore", () => {
  it("notifies on a change only, and ignores hovers during a quiet period", () => {
    const store = new HoverStore();
    let calls = 0;
    store.subscribe(() => calls++);
    store.set({ node: "a", edge: null, tooltip: null }, 0);
    store.set({ node: "a", edge: null, tooltip: null }, 1);
    expect(calls).toBe(1);
    store.quiet(600, 10);
    expect(store.get().node).toBeNull();
    store.set({ node: "b", edge: null, tooltip: null }, 500);
    expect(store.get().node).toBeNull();
    store.set({ node: "b", edge: null, tooltip: null }, 700);
    expect(store.get().node).toBe("b");
    expect(calls).toBe(3);
  });
});
