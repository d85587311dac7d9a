import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Telemetry (names, attributes, events) is rendered as text only: no raw-HTML escape hatch in UI code. */
function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listSources(full));
    else if (/\.(tsx?|jsx?)$/.test(name) && !name.endsWith(".test.ts")) out.push(full);
  }
  return out;
}

describe("UI code", () => {
  it("never uses dangerouslySetInnerHTML, innerHTML or insertAdjacentHTML", () => {
    const root = path.resolve(__dirname, "..");
    const files = ["app", "components", "lib"].flatMap((d) => listSources(path.join(root, d)));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((f) =>
      /dangerouslySetInnerHTML|\.innerHTML\s*=|insertAdjacentHTML/.test(readFileSync(f, "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});
