// The Debian packages the test suites run for real, provided before the tests start:
// `node scripts/test/system-packages.mjs <suite>...` (suites: integration, e2e, all) checks
// each package's program, installs the missing ones with apt-get when it runs as root, and
// otherwise stops at once with the exact command to run. When everything is there it only
// looks at a few files: no apt, no network. Plain JavaScript, no TypeScript loader.
import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * One entry per package: the program the tests run (an absolute path, or a name looked up
 * on PATH), the suites that need it, and the daemon its Debian package starts on its
 * default port, which the tests do not use (they start their own on free ports).
 * Add ClickHouse, ... here when a suite starts using them.
 */
export const SYSTEM_PACKAGES = [
  { apt: "chromium", program: "/usr/bin/chromium", suites: ["e2e"], why: "the browser Playwright drives" },
  { apt: "prometheus", program: "prometheus", suites: ["integration"], why: "scrapes /metrics", daemon: "prometheus" },
  {
    apt: "prometheus-alertmanager",
    program: "/usr/bin/prometheus-alertmanager",
    suites: ["integration"],
    why: "receives alert notifications",
    daemon: "prometheus-alertmanager",
  },
  {
    apt: "postgresql",
    program: "/usr/lib/postgresql/15/bin/initdb",
    suites: ["integration"],
    why: "the control plane on PostgreSQL (Debian 12's version 15)",
    daemon: "postgresql",
  },
  {
    apt: "clickhouse-server",
    program: "/usr/sbin/clickhouse-server",
    suites: ["integration"],
    why: "the ClickHouse telemetry store (Debian 12's 18.16)",
    daemon: "clickhouse-server",
  },
  {
    apt: "clickhouse-client",
    program: "/usr/bin/clickhouse-client",
    suites: ["integration"],
    why: "the ClickHouse client, for inspecting a test cluster",
  },
];

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findProgram(program) {
  if (program.includes("/")) return isExecutable(program) ? program : null;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, program))) return path.join(dir, program);
  }
  return null;
}

/** The packages `suites` need that are not installed. */
export function listMissing(suites, packages = SYSTEM_PACKAGES) {
  const all = suites.includes("all");
  return packages.filter((p) => (all || p.suites.some((s) => suites.includes(s))) && !findProgram(p.program));
}

function install(missing) {
  const names = missing.map((p) => p.apt);
  console.log(`cartograph tests: installing ${names.join(", ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...names], { stdio: "inherit", env });
  for (const p of missing.filter((m) => m.daemon)) {
    try {
      execFileSync("service", [p.daemon, "stop"], { stdio: "ignore" });
    } catch {
      // No init system in containers: the package's daemon was never started.
    }
  }
}

function main(suites) {
  const missing = listMissing(suites.length > 0 ? suites : ["all"]);
  if (missing.length === 0) return 0;
  const list = missing.map((p) => `  ${p.apt}: ${p.why}`).join("\n");
  const canInstall = process.getuid?.() === 0 && findProgram("apt-get");
  if (!canInstall) {
    const names = missing.map((p) => p.apt).join(" ");
    console.error(
      `cartograph tests: missing system packages:\n${list}\nInstall them, then run the tests again:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${names}`,
    );
    return 1;
  }
  install(missing);
  const still = listMissing(suites.length > 0 ? suites : ["all"]);
  if (still.length > 0) {
    console.error(`cartograph tests: still missing after apt-get: ${still.map((p) => p.program).join(", ")}`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
