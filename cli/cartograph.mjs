#!/usr/bin/env node
// `cartograph` CLI: architecture checks against a running Cartograph server, for CI.
// Pure JavaScript (Node >= 20: global fetch, util.parseArgs) so it runs without a build.
//
//   cartograph check --url http://localhost:3000 [--fail-on warning|critical]
//       [--format text|json|junit] [--from <t> --to <t>] [--baseline-from <t> --baseline-to <t>]
//       [--token <API token>]   (or CARTOGRAPH_TOKEN; needed when the server has authentication on)
//
// Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage or
// connection error. With a baseline window only findings (by id) and dependency edges that
// did not exist in the baseline are reported and counted.
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";

const RANK = { info: 0, warning: 1, critical: 2 };
const USAGE = `usage: cartograph check --url <server> [--fail-on warning|critical] [--format text|json|junit]
                        [--from <time>] [--to <time>] [--baseline-from <time> --baseline-to <time>]
                        [--token <API token>]   (default: $CARTOGRAPH_TOKEN)
times are epoch milliseconds, RFC 3339 or "now"; default window: the last 15 minutes`;

class UsageError extends Error {}

export function parseCli(argv, env = process.env) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: "string" },
        "fail-on": { type: "string", default: "critical" },
        format: { type: "string", default: "text" },
        from: { type: "string" },
        to: { type: "string" },
        "baseline-from": { type: "string" },
        "baseline-to": { type: "string" },
        timeout: { type: "string", default: "60000" },
        token: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError(e.message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals[0] !== "check" || positionals.length > 1)
    throw new UsageError(
      positionals.length === 0 ? "missing command: check" : `unknown command: ${positionals.join(" ")}`,
    );
  if (!values.url) throw new UsageError("--url is required (the Cartograph server, e.g. http://localhost:3000)");
  try {
    const u = new URL(values.url);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError(`--url ${JSON.stringify(values.url)} is not an http(s) URL`);
  }
  if (!(values["fail-on"] in RANK) || values["fail-on"] === "info")
    throw new UsageError("--fail-on must be warning or critical");
  if (!["text", "json", "junit"].includes(values.format)) throw new UsageError("--format must be text, json or junit");
  const hasBaseline = values["baseline-from"] !== undefined || values["baseline-to"] !== undefined;
  if (hasBaseline && (values["baseline-from"] === undefined || values["baseline-to"] === undefined)) {
    throw new UsageError("--baseline-from and --baseline-to go together");
  }
  const timeoutMs = Number(values.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UsageError("--timeout must be a positive number of milliseconds");
  return {
    help: false,
    url: values.url.replace(/\/+$/, ""),
    failOn: values["fail-on"],
    format: values.format,
    window: { from: values.from, to: values.to },
    baseline: hasBaseline ? { from: values["baseline-from"], to: values["baseline-to"] } : null,
    timeoutMs,
    token: values.token || env.CARTOGRAPH_TOKEN || undefined,
  };
}

class ConnectionError extends Error {}

async function getJson(base, path, window, timeoutMs, token) {
  const u = new URL(base + path);
  if (window.from !== undefined) u.searchParams.set("from", window.from);
  if (window.to !== undefined) u.searchParams.set("to", window.to);
  let res;
  try {
    const headers = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    res = await fetch(u, { signal: AbortSignal.timeout(timeoutMs), headers });
  } catch (e) {
    throw new ConnectionError(
      `cannot reach ${u.origin}: ${e.cause?.code ?? e.cause?.errors?.[0]?.code ?? e.cause?.message ?? e.message}`,
    );
  }
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ConnectionError(`${u.pathname} answered ${res.status} with non-JSON content`);
  }
  if (res.status === 401)
    throw new ConnectionError(
      `${u.pathname} answered 401: the server has authentication on; pass --token <API token> (or set CARTOGRAPH_TOKEN)`,
    );
  if (!res.ok)
    throw new ConnectionError(`${u.pathname} answered ${res.status}: ${body?.error?.message ?? text.slice(0, 200)}`);
  return body;
}

/** Fetches the window (and baseline) and decides what to report. */
export async function runCheck(opts) {
  const current = await getJson(opts.url, "/api/v1/violations", opts.window, opts.timeoutMs, opts.token);
  if (!Array.isArray(current.violations))
    throw new ConnectionError("/api/v1/violations did not return a violations list");
  let findings = current.violations;
  let newEdges = null;
  if (opts.baseline) {
    const [base, mapNow, mapBase] = await Promise.all([
      getJson(opts.url, "/api/v1/violations", opts.baseline, opts.timeoutMs, opts.token),
      getJson(opts.url, "/api/v1/service-map", opts.window, opts.timeoutMs, opts.token),
      getJson(opts.url, "/api/v1/service-map", opts.baseline, opts.timeoutMs, opts.token),
    ]);
    const known = new Set((base.violations ?? []).map((v) => v.id));
    findings = findings.filter((v) => !known.has(v.id));
    const knownEdges = new Set((mapBase.edges ?? []).map((e) => e.id ?? `${e.source}->${e.target}`));
    newEdges = (mapNow.edges ?? [])
      .filter((e) => !knownEdges.has(e.id ?? `${e.source}->${e.target}`))
      .map((e) => ({
        id: e.id ?? `${e.source}->${e.target}`,
        source: e.source,
        target: e.target,
        protocol: e.protocol ?? null,
        calls: e.stats?.requests ?? null,
      }));
  }
  const failing = findings.filter((v) => RANK[v.severity] >= RANK[opts.failOn]);
  return { findings, failing, newEdges, sampled: !!current.sampled, baseline: !!opts.baseline };
}

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function formatResult(result, opts) {
  if (opts.format === "json") {
    return JSON.stringify(
      {
        failOn: opts.failOn,
        failing: result.failing.length,
        sampled: result.sampled,
        violations: result.findings,
        ...(result.newEdges ? { newEdges: result.newEdges } : {}),
      },
      null,
      2,
    );
  }
  if (opts.format === "junit") {
    const cases = result.findings.map((v) => {
      const name = esc(v.title);
      const fail = RANK[v.severity] >= RANK[opts.failOn];
      const body = `${v.message}\nservices: ${v.services.join(", ")}\ntraces: ${(v.evidence?.traceIds ?? []).join(", ")}`;
      return (
        `    <testcase classname="cartograph.${esc(v.rule)}" name="${name}">` +
        (fail
          ? `<failure type="${esc(v.severity)}" message="${esc(v.id)}">${esc(body)}</failure>`
          : `<system-out>${esc(body)}</system-out>`) +
        `</testcase>`
      );
    });
    for (const e of result.newEdges ?? [])
      cases.push(
        `    <testcase classname="cartograph.new-dependency" name="${esc(e.id)}"><system-out>new dependency ${esc(e.source)} -> ${esc(e.target)}</system-out></testcase>`,
      );
    return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="cartograph check" tests="${cases.length}" failures="${result.failing.length}">\n${cases.join("\n")}\n  </testsuite>\n</testsuites>`;
  }
  const lines = [];
  const scope = result.baseline ? "new since baseline" : "in window";
  if (result.findings.length === 0) lines.push(`no coupling findings ${scope}`);
  for (const v of result.findings) {
    lines.push(`${v.severity.toUpperCase().padEnd(8)} ${v.rule}  ${v.title}`);
    lines.push(`         ${v.message}`);
    lines.push(
      `         services: ${v.services.join(", ")}${v.evidence?.traceIds?.length ? `; example traces: ${v.evidence.traceIds.slice(0, 3).join(", ")}` : ""}`,
    );
  }
  if (result.newEdges) {
    lines.push(
      result.newEdges.length === 0
        ? "no new dependency edges since baseline"
        : `${result.newEdges.length} new dependency edge(s) since baseline:`,
    );
    for (const e of result.newEdges)
      lines.push(`  + ${e.source} -> ${e.target}${e.protocol ? ` (${e.protocol})` : ""}`);
  }
  if (result.sampled) lines.push("note: the server sampled traces for this window");
  lines.push(`${result.failing.length} finding(s) at or above ${opts.failOn} ${scope}`);
  return lines.join("\n");
}

export async function main(argv, out = process.stdout, err = process.stderr) {
  let opts;
  try {
    opts = parseCli(argv);
  } catch (e) {
    err.write(`cartograph: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    out.write(USAGE + "\n");
    return 0;
  }
  try {
    const result = await runCheck(opts);
    out.write(formatResult(result, opts) + "\n");
    return result.failing.length > 0 ? 1 : 0;
  } catch (e) {
    err.write(`cartograph: ${e.message}\n`);
    return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href || process.argv[1]?.endsWith("/cartograph")) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
