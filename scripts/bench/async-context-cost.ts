/**
 * What an enabled AsyncLocalStorage costs promises on this Node version: CPU of five million
 * awaited promise steps with no AsyncLocalStorage ever entered, with one entered once (its
 * promise hooks then run on every promise of the thread), and with one entered and disabled
 * again (what self-tracing does when no sampled work is in flight). Each mode runs in a fresh
 * process. `node --import ./scripts/runtime/register.mjs scripts/bench/async-context-cost.ts`
 */
import { spawnSync } from "node:child_process";
import { AsyncLocalStorage } from "node:async_hooks";

type Mode = "never" | "entered" | "disabled";

async function loop(n: number): Promise<number> {
  const step = async (i: number) => {
    await null;
    return i + 1;
  };
  let s = 0;
  for (let i = 0; i < n; i++) s = await step(s);
  return s;
}

async function measure(mode: Mode): Promise<number> {
  if (mode !== "never") {
    const als = new AsyncLocalStorage<number>();
    als.run(1, () => 0);
    if (mode === "disabled") als.disable();
  }
  const t0 = process.cpuUsage();
  await loop(5_000_000);
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / 1000;
}

const child = process.argv[2] as Mode | undefined;
if (child) {
  console.log(String(await measure(child)));
} else {
  const run = (mode: Mode) =>
    Number(
      spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, mode], { encoding: "utf8" }).stdout.trim(),
    );
  const ms = { never: run("never"), entered: run("entered"), disabled: run("disabled") };
  console.log(
    JSON.stringify({
      node: process.version,
      cpuMs: ms,
      enteredRatio: Math.round((ms.entered / ms.never) * 100) / 100,
      disabledRatio: Math.round((ms.disabled / ms.never) * 100) / 100,
    }),
  );
}
