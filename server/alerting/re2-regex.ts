import "server-only";
import { RE2JS } from "re2js";

/**
 * User-supplied regular expressions (`~regex` name filters, silence matchers) run on RE2's
 * linear-time engine: matching costs O(pattern × input) whatever the pattern, so a filter
 * like `(a+)+$` cannot stall evaluation on a hostile service name. RE2 syntax has no
 * backreferences or lookaround; such patterns are refused when the rule is saved.
 */
export interface SafeRegex {
  /** Whether the whole value matches (the pattern is fully anchored). */
  test(value: string): boolean;
}

const cache = new Map<string, SafeRegex | null>();
const MAX_CACHED = 10_000;

/** The compiled, fully anchored pattern; null when it is not valid RE2 syntax. */
export function compileSafeRegex(pattern: string): SafeRegex | null {
  let re = cache.get(pattern);
  if (re !== undefined) return re;
  try {
    const compiled = RE2JS.compile(`(?:${pattern})`);
    re = { test: (value) => compiled.matches(value) };
  } catch {
    re = null;
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** Null when the pattern compiles on RE2, else why not (for a 400 at the API boundary). */
export function explainRe2Error(pattern: string): string | null {
  try {
    RE2JS.compile(`(?:${pattern})`);
    return null;
  } catch (e) {
    return `not a valid RE2 regular expression (no backreferences or lookaround): ${(e as Error).message}`;
  }
}
