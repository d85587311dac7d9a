import { describe, expect, it } from "vitest";
import { describeForOperator, describeForSender, isStorageFailure } from "./storage-failure";

describe("storage failure", () => {
  it("treats disk, permission and I/O conditions as the storage's, constraint errors as the data's", () => {
    for (const code of [
      "SQLITE_FULL",
      "SQLITE_IOERR_WRITE",
      "SQLITE_IOERR_TRUNCATE",
      "SQLITE_READONLY_DBMOVED",
      "SQLITE_BUSY",
    ]) {
      expect(isStorageFailure(Object.assign(new Error("x"), { code })), code).toBe(true);
    }
    expect(isStorageFailure(Object.assign(new Error("x"), { code: "SQLITE_CONSTRAINT_UNIQUE" }))).toBe(false);
    expect(isStorageFailure(new RangeError("bigint"))).toBe(false);
  });

  it("tells the operator that the data directory cannot grow, with the free space, for a full disk and a refused write alike", () => {
    expect(describeForOperator("SQLITE_FULL", 5 * 1024 * 1024)).toMatch(
      /cannot grow: its disk is full; 5.0 MiB free.*no restart needed/,
    );
    expect(describeForOperator("SQLITE_IOERR_WRITE", null)).toMatch(
      /cannot grow or be written \(disk full, quota, file-size limit or a failing disk\)/,
    );
    expect(describeForOperator("SQLITE_READONLY", null)).toMatch(/read-only/);
    expect(describeForSender("SQLITE_FULL")).toBe("storage full; retry later");
  });
});
