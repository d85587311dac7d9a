import "server-only";
import { installRegexChecker } from "../../lib/regex-syntax";
import { explainRe2Error } from "./re2-regex";

/**
 * User regexes run on RE2 (linear time). Loading this module makes the contract's regex
 * check (lib/regex-syntax.ts) a real RE2 compile in this process: every rule and silence the
 * API accepts compiles where it runs, while the browser bundle carries no regex engine.
 */
installRegexChecker(explainRe2Error);

export { compileSafeRegex, type SafeRegex } from "./re2-regex";
export { explainRe2Error as explainRegexError };
