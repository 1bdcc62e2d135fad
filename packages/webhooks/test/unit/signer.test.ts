import { describe, expect, it } from "vitest";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { generateSecret } from "../../src/secrets";
import { signatureHeaders } from "../../src/signer";

const body = JSON.stringify({ type: "message.sent", timestamp: "2026-12-03T10:00:00.000Z", data: { message_id: "m-1" } });

describe("signatureHeaders", () => {
  it("makes headers standardwebhooks' own verification accepts, with the event id and the time", () => {
    const secret = generateSecret();
    const at = new Date();
    const headers = signatureHeaders("evt_1", at, body, [secret]);
    expect(headers["webhook-id"]).toBe("evt_1");
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("signs with both secrets during a rotation: a receiver with either one verifies", () => {
    const [old, fresh] = [generateSecret(), generateSecret()];
    const headers = signatureHeaders("evt_2", new Date(), body, [fresh, old]);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(() => new Webhook(fresh).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(old).verify(body, headers)).not.toThrow();
  });

  it("does not verify with another secret, a changed body or another webhook-id", () => {
    const secret = generateSecret();
    const headers = signatureHeaders("evt_3", new Date(), body, [secret]);
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
    // the right secret, so only the body (or the id) can be why
    expect(() => new Webhook(secret).verify(body.replace("m-1", "m-2"), headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(body, { ...headers, "webhook-id": "evt_other" })).toThrow(WebhookVerificationError);
  });

  it("signs as standardwebhooks' own sign() does, for any body and secret", () => {
    for (const text of [body, "", "été ✓ 🚀", JSON.stringify({ data: "x".repeat(10_000) })]) {
      const secret = generateSecret();
      const at = new Date(1_796_000_000_123);
      const headers = signatureHeaders("evt_5", at, text, [secret]);
      expect(headers["webhook-signature"]).toBe(new Webhook(secret).sign("evt_5", at, text));
    }
  });

  it("refuses a secret that is not base64, or is empty", () => {
    expect(() => signatureHeaders("evt_6", new Date(), body, ["whsec_not*base64"])).toThrow("webhook secret is not base64");
    expect(() => signatureHeaders("evt_6", new Date(), body, ["whsec_"])).toThrow("webhook secret is empty");
  });

  it("refuses to sign with no secret", () => {
    expect(() => signatureHeaders("evt_4", new Date(), body, [])).toThrow("no signing secret");
  });
});
