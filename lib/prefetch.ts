/**
 * Reads a page starts before its JavaScript has loaded. A page's HTML carries a small inline
 * script (`buildPrefetchScript`) that sends the GETs the page's first render will make; the
 * answers wait in `window.__cartographPrefetch` and `fetchJson` takes each one once, instead of
 * asking again after hydration (on the map page that saved the second the bundles take to
 * load and hydrate). Only the default time range (no `from`/`to` in the URL) is prefetched,
 * and an answer older than PREFETCH_MAX_AGE_MS is not used.
 */

/** Longest an unused prefetched answer stands in for a fresh read. */
export const PREFETCH_MAX_AGE_MS = 10_000;
/** The UI's default range (components/ui/use-time-range.ts): the last 15 minutes. */
const DEFAULT_RANGE_MS = 15 * 60_000;

interface PrefetchEntry {
  at: number;
  response: Promise<Response>;
}

/**
 * What identifies a read apart from its exact bounds: the path, the other parameters (sorted)
 * and the window's length. The script computes the same key (see buildPrefetchScript).
 */
export function describePrefetchKey(path: string, params: URLSearchParams): string {
  const from = Number(params.get("from"));
  const to = Number(params.get("to"));
  const rest = [...params.entries()]
    .filter(([k, v]) => k !== "from" && k !== "to" && v !== "")
    .sort((a, b) => (a[0] + "=" + a[1]).localeCompare(b[0] + "=" + b[1]))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  return `${path}?${rest}|${to - from}`;
}

/** The prefetched answer for this URL, once, when it is young enough; else null. */
export function takePrefetched(url: string, nowMs: number): Promise<Response> | null {
  if (typeof window === "undefined") return null;
  const store = (window as unknown as { __cartographPrefetch?: Record<string, PrefetchEntry> }).__cartographPrefetch;
  if (!store) return null;
  const u = new URL(url, "http://x");
  const key = describePrefetchKey(u.pathname, u.searchParams);
  const entry = store[key];
  if (!entry) return null;
  delete store[key];
  return nowMs - entry.at <= PREFETCH_MAX_AGE_MS ? entry.response : null;
}

/**
 * The inline script's text. Each read is an API path and whether it is asked in the page's
 * scope (`env` in the URL becomes `environment`, `namespace` stays), unscoped, or both (the
 * environment picker reads every environment's services). A page URL with `from`, `to` or one
 * of `skipIf` prefetches nothing (its first reads would not match).
 */
export function buildPrefetchScript(reads: Array<[string, "scoped" | "both"]>, skipIf: string[] = []): string {
  const config = JSON.stringify({ reads, skip: ["from", "to", ...skipIf], range: DEFAULT_RANGE_MS });
  return `(function(c){try{var q=new URLSearchParams(location.search);for(var i=0;i<c.skip.length;i++)if(q.get(c.skip[i]))return;
var t=Date.now(),f=t-c.range,s=window.__cartographPrefetch=window.__cartographPrefetch||{};
var scope=[];if(q.get("env")&&q.get("env")!=="all")scope.push(["environment",q.get("env")]);if(q.get("namespace"))scope.push(["namespace",q.get("namespace")]);
scope.sort(function(a,b){return (a[0]+"="+a[1])<(b[0]+"="+b[1])?-1:1});
function go(p,kvs){var u=new URLSearchParams();u.set("from",String(f));u.set("to",String(t));kvs.forEach(function(kv){u.set(kv[0],kv[1])});
s[p+"?"+kvs.map(function(kv){return kv[0]+"="+kv[1]}).join("&")+"|"+c.range]={at:t,response:fetch(p+"?"+u.toString(),{headers:{accept:"application/json"}})};}
c.reads.forEach(function(r){go(r[0],scope);if(r[1]==="both"&&scope.length)go(r[0],[]);});
}catch(e){}})(${config});`;
}
