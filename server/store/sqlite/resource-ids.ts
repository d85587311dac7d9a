import "server-only";
import type { ResourceInfo } from "../../normalize";
import type { Db } from "./open";

/**
 * Ids of the `resources` rows the appenders point spans and log records at: by identity object
 * first (one lookup per request), then by the attributes' JSON text, inserting a row the first
 * time. One cache per connection's appenders, so spans and logs of a resource agree.
 *
 * Ids are cached inside a transaction; if it rolls back, the rows it inserted are gone and
 * SQLite may give their ids to the next new resources, so `forgetUncommitted` must be called
 * then, before the next append.
 */
export function createResourceIds(db: Db) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO resources (service, namespace, environment, attributes) VALUES (?, ?, ?, ?)`,
  );
  const find = db.prepare(`SELECT id FROM resources WHERE attributes = ?`).pluck();
  let byObject = new WeakMap<ResourceInfo, number>();
  const byJson = new Map<string, number>();

  function idOf(r: ResourceInfo): number {
    const cached = byObject.get(r);
    if (cached !== undefined) return cached;
    const json = JSON.stringify(r.attributes);
    let id = byJson.get(json);
    if (id === undefined) {
      insert.run(r.service, r.namespace, r.environment, json);
      id = find.get(json) as number;
      if (byJson.size > 10_000) byJson.clear();
      byJson.set(json, id);
    }
    byObject.set(r, id);
    return id;
  }

  function forgetUncommitted(): void {
    byObject = new WeakMap();
    byJson.clear();
  }

  return { idOf, forgetUncommitted };
}

export type ResourceIds = ReturnType<typeof createResourceIds>;
