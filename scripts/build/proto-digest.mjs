// The digest of the project's .proto files that the generated codec records (see generate-codec.mjs).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** Every .proto file under proto/, absolute paths, sorted. */
export function listProtoFiles(root) {
  const found = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".proto")) found.push(p);
    }
  };
  walk(path.join(root, "proto"));
  return found.sort();
}

/** sha256 over each file's path (relative to root) and contents: short hex. */
export function digestProtoFiles(root) {
  const h = createHash("sha256");
  for (const f of listProtoFiles(root))
    h.update(path.relative(root, f)).update("\0").update(readFileSync(f)).update("\0");
  return h.digest("hex").slice(0, 16);
}
