import ipaddr from "ipaddr.js";

/** Where webhooks may go: public addresses only, or loopback too (the local stack's receivers). */
export type UrlPolicy = { allowLoopback: boolean };

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/*
 * Ranges refused besides the ones ipaddr.js names (its range() answers "unicast" for all other
 * addresses): IPv4 benchmarking 198.18.0.0/15; IPv6 outside global unicast 2000::/3 (site-local
 * fec0::/10, the discard prefix 100::/64, NAT64 64:ff9b:1::/48 all fall outside it or are listed).
 */
const EXTRA_V4 = [ipaddr.parseCIDR("198.18.0.0/15")] as const;
const GLOBAL_V6 = ipaddr.parseCIDR("2000::/3");

/**
 * Why an address may not be posted to, or undefined when it may: anything but public unicast is
 * refused (private, loopback, link-local with the metadata address 169.254.169.254, unique-local
 * fd00::/8 with AWS's fd00:ec2::254, carrier-grade NAT, multicast, broadcast, reserved,
 * unspecified, the IPv6 transition ranges); IPv4-mapped IPv6 is judged as its IPv4 address.
 * Loopback is allowed only when the policy says so.
 */
export function refusedAddress(ip: string, policy: UrlPolicy): string | undefined {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(ip.replace(/^\[|\]$/g, ""));
  } catch {
    return "not an IP address";
  }
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  const range = address.range();
  if (range === "loopback") return policy.allowLoopback ? undefined : "loopback address refused";
  if (range !== "unicast") return `${describe(range)} address refused`;
  if (address.kind() === "ipv4" && EXTRA_V4.some((cidr) => (address as ipaddr.IPv4).match(cidr))) return "reserved address refused";
  if (address.kind() === "ipv6" && !(address as ipaddr.IPv6).match(GLOBAL_V6)) return "non-global address refused";
  return undefined;
}

const describe = (range: string) =>
  ({ private: "private", linkLocal: "link-local", uniqueLocal: "unique-local", carrierGradeNat: "carrier-grade NAT", unspecified: "unspecified" })[range] ??
  range;

/** localhost and, as RFC 6761 reserves them for loopback, the names under it (api.localhost). */
const isLoopbackName = (host: string) => /(^|\.)localhost\.?$/i.test(host);

/**
 * A URL as an endpoint may be registered with (and is checked again at each send, before its
 * name is resolved): https, or http to a loopback host when loopback is allowed; no user or
 * password in it, no fragment; a host that is an IP literal (in any form WHATWG URL reads:
 * 2130706433, 0x7f.1) must be an allowed address. A name is checked when it is resolved, at send
 * time (see http-sender.ts), since what it resolves to can change.
 */
export function checkWebhookUrl(raw: string, policy: UrlPolicy): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "must be an absolute URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "must use https" };
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "must not contain credentials" };
  if (url.hash !== "") return { ok: false, reason: "must not have a fragment" };
  if (url.hostname === "") return { ok: false, reason: "must name a host" };
  // WHATWG URL keeps an explicit :0; nothing listens there, and some stacks read it as "any port"
  if (url.port === "0") return { ok: false, reason: "must not use port 0" };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = ipaddr.isValid(host) && (host.includes(":") || ipaddr.IPv4.isValidFourPartDecimal(host));
  const loopbackHost = literal ? ipaddr.parse(host).range() === "loopback" || isMappedLoopback(host) : isLoopbackName(host);
  if (url.protocol === "http:" && !(policy.allowLoopback && loopbackHost)) return { ok: false, reason: "must use https" };
  if (literal) {
    const refused = refusedAddress(host, policy);
    if (refused) return { ok: false, reason: refused };
  } else if (loopbackHost && !policy.allowLoopback) {
    return { ok: false, reason: "loopback address refused" };
  }
  return { ok: true, url };
}

function isMappedLoopback(host: string): boolean {
  const address = ipaddr.parse(host);
  return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress() && (address as ipaddr.IPv6).toIPv4Address().range() === "loopback";
}
