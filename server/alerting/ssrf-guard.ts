import "server-only";
import { BlockList, isIP } from "node:net";

/**
 * Which addresses a webhook may reach. Link-local (169.254.0.0/16, fe80::/10) and cloud
 * metadata addresses are always refused; loopback, private, CGNAT, benchmark and other
 * special ranges only when the admin allow-list (CARTOGRAPH_WEBHOOK_ALLOW: comma-separated
 * CIDRs, IPs or host names) names them. IPv4-mapped IPv6 is checked as IPv4.
 */
const ALWAYS_BLOCKED = new BlockList();
ALWAYS_BLOCKED.addSubnet("169.254.0.0", 16, "ipv4");
ALWAYS_BLOCKED.addSubnet("fe80::", 10, "ipv6");
ALWAYS_BLOCKED.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
ALWAYS_BLOCKED.addAddress("168.63.129.16", "ipv4"); // Azure wire server
ALWAYS_BLOCKED.addAddress("192.0.0.192", "ipv4"); // Oracle Cloud metadata
ALWAYS_BLOCKED.addAddress("fd00:ec2::254", "ipv6"); // AWS IMDS over IPv6

const SPECIAL = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  SPECIAL.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["ff00::", 8],
  ["64:ff9b::", 96],
  ["2001:db8::", 32],
] as const) {
  SPECIAL.addSubnet(net, bits, "ipv6");
}
const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata", "instance-data", "metadata.azure.internal"]);

export interface AllowList {
  nets: BlockList;
  hosts: Set<string>;
}

export function parseAllowList(raw: string): AllowList {
  const nets = new BlockList();
  const hosts = new Set<string>();
  for (const part of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [addr, bits] = part.split("/");
    const fam = isIP(addr!);
    if (fam) {
      const type = fam === 4 ? "ipv4" : "ipv6";
      if (bits !== undefined) nets.addSubnet(addr!, Number(bits), type);
      else nets.addAddress(addr!, type);
    } else {
      hosts.add(normalizeHost(part));
    }
  }
  return { nets, hosts };
}

export function normalizeHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
}

/** `::ffff:a.b.c.d` (and its hex form) → `a.b.c.d`; other addresses unchanged. */
function unmapIPv6(ip: string): { ip: string; family: 4 | 6 } {
  const lower = ip.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower.replace(/^::/, "0:0:0:0:0:"));
  if (dotted) return { ip: dotted[1]!, family: 4 };
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const a = parseInt(hex[1]!, 16);
    const b = parseInt(hex[2]!, 16);
    return { ip: `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`, family: 4 };
  }
  return { ip, family: isIP(ip) === 4 ? 4 : 6 };
}

/** Null when the address may be contacted, else why not. */
export function checkAddress(address: string, host: string, allow: AllowList): string | null {
  const { ip, family } = unmapIPv6(address);
  const type = family === 4 ? "ipv4" : "ipv6";
  if (!isIP(ip)) return `not an IP address: ${address}`;
  if (ALWAYS_BLOCKED.check(ip, type)) return `address ${address} is link-local or cloud metadata and is always refused`;
  if (SPECIAL.check(ip, type) && !allow.nets.check(ip, type) && !allow.hosts.has(normalizeHost(host))) {
    return `address ${address} is loopback/private/reserved; add it to CARTOGRAPH_WEBHOOK_ALLOW to permit it`;
  }
  return null;
}

/** Null when the host name itself is acceptable (before resolution). */
export function checkHostName(host: string): string | null {
  const h = normalizeHost(host);
  if (METADATA_HOSTS.has(h)) return `host ${host} is a cloud metadata endpoint and is always refused`;
  return null;
}
