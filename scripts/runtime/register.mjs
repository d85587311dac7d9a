// Loaded with `node --import ./scripts/runtime/register.mjs`: TypeScript via tsx, and the
// `server-only` marker resolved as on the server (its react-server export is empty).
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

register("./server-only-hook.mjs", import.meta.url);
registerTsx();
