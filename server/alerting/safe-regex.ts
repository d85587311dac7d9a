import "server-only";
/** User regexes run on RE2 (linear time); the implementation is client-safe, in lib/. */
export { compileSafeRegex, explainRegexError, type SafeRegex } from "../../lib/safe-regex";
