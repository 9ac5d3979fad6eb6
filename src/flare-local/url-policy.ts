import { promises as dns, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { FLARE_WEB2JSON_LIMITS, WEB2JSON_STATUS, Web2JsonRefused } from "./web2json-status";
import { messageOf } from "../errors";

/**
 * Where Flare's Web2Json verifier lets a request go (verifier-indexer-api v1.6.0-rc.0,
 * validate-url.ts `validateUrl`): the host is resolved (2 s DNS timeout) and every address it
 * resolves to must be public, by Flare's block lists below; the fetch then goes to exactly those
 * addresses, at `protocol//hostname + pathname` (the URL's port, query and fragment are dropped).
 * An IP literal is resolved to itself, so 127.1, 0x7f.0.0.1, 2130706433, [::ffff:127.0.0.1] and
 * other spellings of private addresses are refused like the plain ones.
 *
 * The only loosening: with `allowLoopbackHttp` (the local stack), a host whose every address is
 * loopback (127.0.0.0/8, ::1) is let through over http or https and keeps its port.
 */

function ipv4Blocklist(): BlockList {
  const list = new BlockList();
  for (const [net, bits] of [
    ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16],
    ["172.16.0.0", 12], ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.88.99.0", 24], ["192.168.0.0", 16],
    ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
  ] as const) list.addSubnet(net, bits, "ipv4");
  return list;
}

function ipv6Blocklist(): BlockList {
  const list = new BlockList();
  list.addAddress("::", "ipv6");
  list.addAddress("::1", "ipv6");
  for (const [net, bits] of [
    ["::ffff:0:0", 96], ["2001::", 23], ["2001:db8::", 32], ["2002::", 16], ["3fff::", 20],
    ["fc00::", 7], ["fe80::", 10], ["ff00::", 8],
  ] as const) list.addSubnet(net, bits, "ipv6");
  return list;
}

const NON_PUBLIC_V4 = ipv4Blocklist();
const NON_PUBLIC_V6 = ipv6Blocklist();
const GLOBAL_UNICAST_V6 = (() => {
  const list = new BlockList();
  list.addSubnet("2000::", 3, "ipv6");
  return list;
})();
const LOOPBACK = (() => {
  const list = new BlockList();
  list.addSubnet("127.0.0.0", 8, "ipv4");
  list.addAddress("::1", "ipv6");
  return list;
})();

function stripZone(address: string): string {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const zone = bare.indexOf("%");
  return zone === -1 ? bare : bare.slice(0, zone);
}

/** Flare's `isPublicAddress`. */
export function isPublicAddress(address: string, family?: number): boolean {
  const ip = stripZone(address);
  const kind = family === 4 || family === 6 ? family : isIP(ip);
  if (kind === 4) return !NON_PUBLIC_V4.check(ip, "ipv4");
  if (kind === 6) return GLOBAL_UNICAST_V6.check(ip, "ipv6") && !NON_PUBLIC_V6.check(ip, "ipv6");
  return false;
}

function isLoopbackAddress(address: string, family: number): boolean {
  return LOOPBACK.check(stripZone(address), family === 6 ? "ipv6" : "ipv4");
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true });

export type CheckedUrl = {
  /** What is fetched: Flare's `protocol//hostname + pathname` (plus the port under the local switch). */
  url: string;
  hostname: string;
  /** The checked addresses; the fetch connects to these and nothing else. */
  addresses: LookupAddress[];
};

export async function checkSourceHost(url: URL, allowLoopbackHttp: boolean, resolve: Resolver = systemResolver): Promise<CheckedUrl> {
  const refuse = (why: string) => new Web2JsonRefused(WEB2JSON_STATUS.INVALID_SOURCE_URL, `Error while validating URL: ${why}`);
  const host = url.hostname.startsWith("[") && url.hostname.endsWith("]") ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: LookupAddress[];
  try {
    addresses = await new Promise<LookupAddress[]>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`DNS query timed out for ${host}`)), FLARE_WEB2JSON_LIMITS.dnsLookupTimeoutMs);
      resolve(host).then(
        (a) => (clearTimeout(timer), ok(a)),
        (e: unknown) => (clearTimeout(timer), fail(e instanceof Error ? e : new Error(String(e)))),
      );
    });
  } catch (error) {
    throw refuse(`DNS resolution failed for ${host}: ${messageOf(error)}`);
  }
  if (addresses.length === 0) throw refuse(`no address for ${host}`);
  const loopbackOnly = allowLoopbackHttp && addresses.every((a) => isLoopbackAddress(a.address, a.family));
  if (!loopbackOnly) {
    for (const a of addresses) {
      if (!isPublicAddress(a.address, a.family)) throw refuse(`Blocked IP: ${stripZone(a.address)} from ${url.hostname}`);
    }
    // Plain http passed parseSourceUrl only under the local switch, and only for loopback.
    if (url.protocol !== "https:") throw refuse(`Invalid protocol: ${url.protocol}`);
  }
  const port = loopbackOnly && url.port !== "" ? `:${url.port}` : "";
  return { url: `${url.protocol}//${url.hostname}${port}${url.pathname}`, hostname: url.hostname, addresses };
}
