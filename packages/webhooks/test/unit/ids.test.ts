import { describe, expect, it } from "vitest";
import { DELIVERY_ID, deliveryIdFor, eventIdFor, newWebhookId, WEBHOOK_ID } from "../../src/ids";

describe("newWebhookId", () => {
  it("gives a new wh_ id each time, matching WEBHOOK_ID", () => {
    const ids = Array.from({ length: 50 }, newWebhookId);
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(id).toMatch(WEBHOOK_ID);
  });
});

describe("eventIdFor", () => {
  it("gives the same id for the same change and another for another change", () => {
    expect(eventIdFor("stream-1")).toBe(eventIdFor("stream-1"));
    expect(eventIdFor("stream-1")).not.toBe(eventIdFor("stream-2"));
    expect(eventIdFor("stream-1")).toMatch(/^evt_[0-9a-f]{32}$/);
  });
});

describe("deliveryIdFor", () => {
  const event = eventIdFor("stream-1");

  it("is the same for the same event, endpoint and time, and matches DELIVERY_ID", () => {
    const at = new Date("2026-12-03T10:00:00.000Z");
    expect(deliveryIdFor(event, "wh_a", at)).toBe(deliveryIdFor(event, "wh_a", at));
    expect(deliveryIdFor(event, "wh_a", at)).toMatch(DELIVERY_ID);
  });

  it("differs per endpoint", () => {
    const at = new Date("2026-12-03T10:00:00.000Z");
    expect(deliveryIdFor(event, "wh_a", at)).not.toBe(deliveryIdFor(event, "wh_b", at));
  });

  it("sorts by time, across a change of the base-36 digits' count", () => {
    const times = ["1990-01-01T00:00:00.000Z", "2026-12-03T10:00:00.000Z", "2026-12-03T10:00:00.001Z", "2100-01-01T00:00:00.000Z"];
    const ids = times.map((t) => deliveryIdFor(event, "wh_a", new Date(t)));
    expect([...ids].sort()).toEqual(ids);
  });
});

describe("WEBHOOK_ID and DELIVERY_ID", () => {
  it("refuse what is not an id", () => {
    for (const bad of ["wh_", "wh_XYZ", `wh_${"0".repeat(23)}`, `wh_${"0".repeat(24)}/x`, "../wh_0", ""]) expect(bad).not.toMatch(WEBHOOK_ID);
    for (const bad of ["del_", `del_${"0".repeat(28)}`, `del_${"A".repeat(29)}`]) expect(bad).not.toMatch(DELIVERY_ID);
  });
});
