/**
 * Who is asking: the key under which a caller's open challenges are counted.
 *
 * The TCP peer address, with IPv4-mapped IPv6 written as IPv4 and IPv6 cut to
 * its /64 (one host or one customer network usually holds a whole /64, so
 * counting single IPv6 addresses would let one machine be a million clients).
 * X-Forwarded-For is believed only from a configured reverse proxy: from
 * anyone else it is a header the caller wrote, and trusting it would let a
 * flood name a fresh client per request.
 */
import { isIPv4, isIPv6 } from "node:net";

function expandIPv6(address: string): string[] | null {
  // Its last 32 bits may be written as IPv4 (RFC 4291 2.2.3): two groups, not one.
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (dotted !== null) {
    const [b0, b1, b2, b3] = dotted.slice(2).map(Number) as [number, number, number, number];
    address = `${dotted[1]}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = address.split("::") as [string, string | undefined];
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(0, fill)).fill("0"), ...right];
  return groups.length === 8 ? groups : null;
}

/** The client key of one address, or null when it is not an IP address. */
export function clientOf(address: string | undefined): string | null {
  if (address === undefined) return null;
  const bare = address.trim().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1] !== undefined && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return null;
  const groups = expandIPv6(bare.toLowerCase());
  if (groups === null) return null;
  return `${groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16)).join(":")}::/64`;
}

/**
 * The client behind a request: the rightmost X-Forwarded-For entry that is not
 * one of `trustedProxies`, when the peer itself is a trusted proxy; the peer
 * otherwise.
 */
export function requestClient(peer: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: ReadonlySet<string>): string {
  const direct = clientOf(peer) ?? "unknown";
  if (!trustedProxies.has(direct) || forwardedFor === undefined) return direct;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",").map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = clientOf(hops[i]);
    if (hop === null) return direct; // a garbled chain: count it against the proxy, not a made-up client
    if (!trustedProxies.has(hop)) return hop;
  }
  return direct;
}
