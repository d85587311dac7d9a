/**
 * Regex checks the contract runs on both sides. In the browser (rule and silence forms) a
 * cheap syntax check without an engine: constructs RE2 refuses (backreferences, lookaround,
 * atomic groups) and unbalanced groups or classes. On the server the alerting stage installs
 * the definitive check (a real RE2 compile, `installRegexChecker`), so what the API stores
 * always compiles where it runs. Keeping the engine out of here keeps it out of the client
 * bundle.
 */
export type RegexChecker = (pattern: string) => string | null;

let checker: RegexChecker = explainRegexSyntax;

/** Replaces the check behind explainRegexError in this process (the server's RE2 compile). */
export function installRegexChecker(check: RegexChecker): void {
  checker = check;
}

/** Null when the pattern is acceptable, else why not (for a 400 naming the field). */
export function explainRegexError(pattern: string): string | null {
  return checker(pattern);
}

const UNSUPPORTED: [RegExp, string][] = [
  [/\\[1-9]|\\k</, "backreferences"],
  [/\(\?<?[=!]/, "lookaround"],
  [/\(\?>/, "atomic groups"],
];

/** The engine-free check: refuses what RE2 never accepts and what cannot parse at all. */
export function explainRegexSyntax(pattern: string): string | null {
  const bare = pattern.replace(/\\\\/g, "");
  for (const [re, what] of UNSUPPORTED) {
    if (re.test(bare))
      return `not a valid RE2 regular expression (no backreferences or lookaround): ${what} are not supported`;
  }
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      if (i === pattern.length - 1) return "not a valid RE2 regular expression: trailing backslash";
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
      if (pattern[i + 1] === "^") i++;
      if (pattern[i + 1] === "]") i++; // a leading ] is a literal
    } else if (c === "(") depth++;
    else if (c === ")" && --depth < 0) return "not a valid RE2 regular expression: unmatched )";
  }
  if (inClass) return "not a valid RE2 regular expression: missing ]";
  if (depth > 0) return "not a valid RE2 regular expression: missing )";
  return null;
}
