import "server-only";

/** IPv4 CIDR membership and private-address tests for the gateway and endpoint rules. */
const DEFAULT_INTERNAL = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
];

function ipv4ToInt(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsRaw] = cidr.split("/");
  const a = ipv4ToInt(ip.replace(/^::ffff:/, ""));
  const b = ipv4ToInt(base ?? "");
  if (a === null || b === null) return ip === base;
  const bits = bitsRaw === undefined ? 32 : Number(bitsRaw);
  if (bits === 0) return true;
  const mask = bits >= 32 ? 0xffffffff : ~((1 << (32 - bits)) - 1) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

export function isInternalAddress(addr: string, extraCidrs: readonly string[] = []): boolean {
  const ip = addr.toLowerCase().replace(/^\[|\]$/g, "");
  if (ip === "localhost" || ip === "::1" || ip === "::" || /^f[cd]/.test(ip) || ip.startsWith("fe80")) return true;
  return [...DEFAULT_INTERNAL, ...extraCidrs].some((c) => inCidr(ip, c));
}

export function isIpLiteralHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "");
  return ipv4ToInt(h) !== null || (h.includes(":") && /^[0-9a-f:.]+$/i.test(h));
}

export function isLoopbackOrLinkLocal(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    h === "::1" ||
    h === "localhost" ||
    h.startsWith("fe80") ||
    inCidr(h, "127.0.0.0/8") ||
    inCidr(h, "169.254.0.0/16") ||
    h === "0.0.0.0"
  );
}
