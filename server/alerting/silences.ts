import "server-only";
import { matcherSchema, silenceInputSchema, type Matcher } from "../../lib/contract";
import { compileSafeRegex } from "./safe-regex";

export { matcherSchema, silenceInputSchema, type Matcher };

/**
 * Silences: label matchers (=, !=, =~, !~; regexes fully anchored, as in Alertmanager) and a
 * window. A silence mutes an alert when it is active and ALL its matchers match. A missing
 * label matches as the empty string.
 */
export interface ActiveSilence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
}

export function matchMatcher(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? "";
  switch (m.op) {
    case "=":
      return v === m.value;
    case "!=":
      return v !== m.value;
    case "=~":
      return compileSafeRegex(m.value)?.test(v) ?? false;
    case "!~":
      return !(compileSafeRegex(m.value)?.test(v) ?? false);
  }
}

/** The ids of the silences that mute these labels at `now`. */
export function findSilencing(labels: Record<string, string>, silences: ActiveSilence[], now: number): string[] {
  return silences
    .filter((s) => s.startsAt <= now && now < s.endsAt && s.matchers.every((m) => matchMatcher(m, labels)))
    .map((s) => s.id);
}
