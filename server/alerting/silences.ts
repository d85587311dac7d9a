import "server-only";
import { z } from "zod";

/**
 * Silences: label matchers (=, !=, =~, !~; regexes fully anchored, as in Alertmanager) and a
 * window. A silence mutes an alert when it is active and ALL its matchers match. A missing
 * label matches as the empty string.
 */
export const matcherSchema = z
  .object({
    name: z.string().min(1).max(200),
    op: z.enum(["=", "!=", "=~", "!~"]),
    value: z.string().max(1024),
  })
  .superRefine((m, ctx) => {
    if (m.op === "=~" || m.op === "!~") {
      try {
        new RegExp(m.value);
      } catch (e) {
        ctx.addIssue({ code: "custom", path: ["value"], message: `invalid regular expression: ${(e as Error).message}` });
      }
    }
  });
export type Matcher = z.infer<typeof matcherSchema>;

export const silenceInputSchema = z
  .object({
    matchers: z.array(matcherSchema).min(1, "a silence needs at least one matcher"),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }),
    comment: z.string().max(2000).default(""),
    createdBy: z.string().max(200).default(""),
  })
  .superRefine((s, ctx) => {
    if (s.startsAt && Date.parse(s.endsAt) <= Date.parse(s.startsAt)) {
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "endsAt must be after startsAt" });
    }
  });

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
      return new RegExp(`^(?:${m.value})$`).test(v);
    case "!~":
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

/** The ids of the silences that mute these labels at `now`. */
export function findSilencing(labels: Record<string, string>, silences: ActiveSilence[], now: number): string[] {
  return silences
    .filter((s) => s.startsAt <= now && now < s.endsAt && s.matchers.every((m) => matchMatcher(m, labels)))
    .map((s) => s.id);
}
