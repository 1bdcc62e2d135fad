import { describe, expect, it } from "vitest";
import { checkWebhookUrl, refusedAddress } from "../../src/url-policy";

const aws = { allowLoopback: false };
const local = { allowLoopback: true };

describe("refusedAddress", () => {
  it.each([
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["127.0.0.1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["198.18.0.1", "reserved"],
    ["192.0.2.10", "reserved"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fd00::1", "unique-local"],
    ["fd00:ec2::254", "unique-local"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["64:ff9b::a00:1", "rfc6052"],
    ["2002:a00:1::", "6to4"],
    ["fec0::1", "refused"],
    ["2001:db8::1", "reserved"],
    ["2001::1", "teredo"],
    ["::ffff:0:7f00:1", "rfc6145"],
    ["64:ff9b:1::a00:1", "rfc6052"],
    ["fc00::1", "unique-local"],
    ["ff02::1", "multicast"],
    ["0.1.2.3", "unspecified"],
    ["240.0.0.1", "reserved"],
    ["100::1", "refused"],
  ])("refuses %s (%s)", (ip, why) => {
    expect(refusedAddress(ip, aws)).toContain(why);
  });

  it.each(["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:8.8.8.8"])("allows the public %s", (ip) => {
    expect(refusedAddress(ip, aws)).toBeUndefined();
  });

  it("allows loopback only when the policy does, and nothing else private", () => {
    expect(refusedAddress("127.0.0.1", local)).toBeUndefined();
    expect(refusedAddress("::1", local)).toBeUndefined();
    expect(refusedAddress("10.0.0.1", local)).toContain("private");
    expect(refusedAddress("169.254.169.254", local)).toContain("link-local");
  });

  it("refuses what is not an address", () => {
    expect(refusedAddress("example.com", aws)).toBe("not an IP address");
  });
});

describe("checkWebhookUrl", () => {
  it("accepts https to a name or a public address", () => {
    expect(checkWebhookUrl("https://hooks.example.com/herald?x=1", aws).ok).toBe(true);
    expect(checkWebhookUrl("https://93.184.216.34:8443/h", aws).ok).toBe(true);
  });

  it.each([
    ["http://hooks.example.com/", "must use https"],
    ["ftp://hooks.example.com/", "must use https"],
    ["not a url", "must be an absolute URL"],
    ["https://user:pw@hooks.example.com/", "must not contain credentials"],
    ["https://hooks.example.com/#frag", "must not have a fragment"],
    ["https://10.0.0.5/", "private address refused"],
    ["https://169.254.169.254/latest/meta-data/", "link-local address refused"],
    ["https://[fd00:ec2::254]/", "unique-local address refused"],
    ["https://[::ffff:a00:5]/", "private address refused"],
    ["https://127.0.0.1/", "loopback address refused"],
    // WHATWG URL reads these as 127.0.0.1: refused as it
    ["https://2130706433/", "loopback address refused"],
    ["https://0x7f.1/", "loopback address refused"],
    ["https://localhost/", "loopback address refused"],
    ["https://api.localhost/", "loopback address refused"],
    ["https://LOCALHOST./", "loopback address refused"],
    ["https://127.1/", "loopback address refused"],
    ["https://[::ffff:7f00:1]/", "loopback address refused"],
    ["https://0/", "unspecified address refused"],
    ["https://[::]/", "unspecified address refused"],
    ["https://hooks.example.com:0/", "must not use port 0"],
    ["http://0x7f.1/", "must use https"],
    ["http://127.0.0.1:4000/", "must use https"],
  ])("refuses %s on AWS: %s", (url, reason) => {
    expect(checkWebhookUrl(url, aws)).toEqual({ ok: false, reason });
  });

  it("allows http to loopback in the local stack, and only to loopback", () => {
    for (const url of ["http://127.0.0.1:4000/herald", "http://localhost:4000/", "http://[::1]:4000/", "http://2130706433:4000/", "http://0x7f.1:4000/", "http://api.localhost:4000/"]) {
      expect(checkWebhookUrl(url, local).ok, url).toBe(true);
    }
    expect(checkWebhookUrl("http://hooks.example.com/", local)).toEqual({ ok: false, reason: "must use https" });
    expect(checkWebhookUrl("http://10.0.0.5/", local)).toEqual({ ok: false, reason: "must use https" });
    expect(checkWebhookUrl("https://10.0.0.5/", local)).toEqual({ ok: false, reason: "private address refused" });
  });
});
