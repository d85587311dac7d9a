import { describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseAllowList } from "./ssrf-guard";
import { postJson, RefusedTargetError, type Resolver } from "./safe-fetch";

const none = parseAllowList("");
const refused = (url: string, allow = none, resolver?: Resolver) =>
  postJson(url, {}, {}, { allow, resolver, timeoutMs: 2000 }).then(
    () => "sent",
    (e) => (e instanceof RefusedTargetError ? "refused" : `error: ${e.message}`),
  );

describe("webhook SSRF guard", () => {
  it("refuses loopback in every spelling unless allow-listed", async () => {
    for (const u of [
      "http://127.0.0.1:6379/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://2130706433/",
      "http://0x7f.0.0.1/",
      "http://10.1.2.3/",
      "http://192.168.1.1/",
      "http://100.64.0.1/",
    ]) {
      expect(await refused(u), u).toBe("refused");
    }
    expect(await refused("http://localhost./", none, async () => [{ address: "127.0.0.1", family: 4 }])).toBe(
      "refused",
    );
  });
  it("refuses metadata and link-local even when allow-listed, and non-http schemes", async () => {
    const all = parseAllowList("0.0.0.0/0,::/0");
    expect(await refused("http://169.254.169.254/latest/meta-data/", all)).toBe("refused");
    expect(await refused("http://[fe80::1]/", all)).toBe("refused");
    expect(await refused("http://metadata.google.internal/", all)).toBe("refused");
    expect(await refused("file:///etc/passwd", all)).toBe("refused");
  });
  it("refuses a name whose resolution includes any private address", async () => {
    const rebinding: Resolver = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "127.0.0.1", family: 4 },
    ];
    expect(await refused("http://example.test/", none, rebinding)).toBe("refused");
  });
  it("checks every redirect hop: an allowed receiver redirecting to metadata or a non-allowed loopback is refused", async () => {
    let hits = 0;
    const counting = http.createServer((_q, s) => {
      hits++;
      s.end("ok");
    });
    await new Promise<void>((r) => counting.listen(0, "127.0.0.1", r));
    const countingPort = (counting.address() as AddressInfo).port;
    const redirector = http.createServer((q, s) => {
      s.writeHead(307, {
        location: q.url === "/meta" ? "http://169.254.169.254/latest" : `http://127.0.0.1:${countingPort}/x`,
      }).end();
    });
    await new Promise<void>((r) => redirector.listen(0, "127.0.0.2", r));
    const port = (redirector.address() as AddressInfo).port;
    const onlyRedirector = parseAllowList("127.0.0.2");
    expect(await refused(`http://127.0.0.2:${port}/meta`, onlyRedirector)).toBe("refused");
    expect(await refused(`http://127.0.0.2:${port}/loop`, onlyRedirector)).toBe("refused");
    expect(hits).toBe(0);
    expect(await refused(`http://127.0.0.2:${port}/loop`, parseAllowList("127.0.0.0/8"))).toBe("sent");
    expect(hits).toBe(1);
    counting.close();
    redirector.close();
  });
});
