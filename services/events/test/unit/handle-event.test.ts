import { describe, expect, it } from "vitest";
import { MemoryMessageStore, MemorySuppressionList } from "@herald/messages/memory";
import { createLogger } from "@herald/platform";
import { PoisonMessageError } from "@herald/queue";
import { aMessageRecord, anSqsRecord, sesEvent, snsWrapped, type SesEventType } from "@herald/testing";
import { handleEvent } from "../../src/domain/handle-event";
import { parseEventRecord } from "../../src/domain/ses-event";

const T0 = new Date("2026-12-01T10:00:00Z");
const later = (s: number) => new Date(T0.getTime() + s * 1000);

async function aHarness(recipients = ["alice@example.com"]) {
  const store = new MemoryMessageStore();
  const suppressions = new MemorySuppressionList();
  const record = aMessageRecord({ status: "sent", recipients });
  await store.create(record);
  const deps = { store, suppressions, clock: { now: () => later(600) }, logger: createLogger("test", "SILENT") };
  const apply = async (type: SesEventType, options: { recipients?: string[]; at?: Date; bounceType?: "Permanent" | "Transient"; raw?: boolean; bounceSubType?: string } = {}) => {
    const event = sesEvent(type, { heraldMessageId: record.id, recipients: options.recipients ?? recipients, at: options.at ?? T0, ...options });
    await handleEvent(parseEventRecord(anSqsRecord(options.raw ? event : snsWrapped(event))), deps);
    return (await store.get(record.id))!;
  };
  return { store, suppressions, record, deps, apply };
}

describe("handleEvent", () => {
  it.each([
    ["Delivery", "delivered"],
    ["Complaint", "complained"],
    ["DeliveryDelay", "delivery_delayed"],
    ["Reject", "failed"],
    ["Rendering Failure", "failed"],
  ] as const)("applies %s, SNS-wrapped or raw, as %s", async (type, status) => {
    for (const raw of [false, true]) {
      // Prepare
      const { apply } = await aHarness();
      // Act
      const after = await apply(type, { raw });
      // Assess
      expect(after.status).toBe(status);
      expect(after.history.at(-1)).toMatchObject({ status, provider: "ses" });
    }
  });

  it("records a permanent bounce with its type and subtype (never the diagnostic) and suppresses the address", async () => {
    // Prepare
    const { apply, suppressions, record } = await aHarness();
    // Act
    const after = await apply("Bounce", { bounceType: "Permanent", bounceSubType: "General" });
    // Assess
    expect(after.status).toBe("bounced");
    expect(after.outcomes?.["alice@example.com"]).toMatchObject({ status: "bounced", bounce_type: "Permanent", bounce_subtype: "General", at: T0.toISOString() });
    expect(after.history.at(-1)).toEqual({ status: "bounced", at: T0.toISOString(), provider: "ses", bounce_type: "Permanent", bounce_subtype: "General", recipients: 1 });
    expect(JSON.stringify(after)).not.toContain("550");
    expect(await suppressions.get("acme", "alice@example.com")).toMatchObject({ reason: "bounce", message_id: record.id, bounce_type: "Permanent" });
  });

  it("does not suppress on a transient bounce", async () => {
    const { apply, suppressions } = await aHarness();
    await apply("Bounce", { bounceType: "Transient", bounceSubType: "MailboxFull" });
    expect(await suppressions.get("acme", "alice@example.com")).toBeUndefined();
  });

  it("suppresses on a complaint", async () => {
    const { apply, suppressions } = await aHarness();
    await apply("Complaint");
    expect(await suppressions.get("acme", "alice@example.com")).toMatchObject({ reason: "complaint" });
  });

  const orderings: [SesEventType, number][][] = [
    [["Delivery", 1], ["Bounce", 2]],
    [["Bounce", 2], ["Delivery", 1]],
    [["Bounce", 1], ["Delivery", 2]],
    [["Delivery", 2], ["Bounce", 1]],
  ];
  it.each(orderings)("a bounce beats a delivery for one recipient in any order: %j then %j", async (first, second) => {
    const { apply } = await aHarness();
    await apply(first[0], { at: later(first[1]) });
    const after = await apply(second[0], { at: later(second[1]) });
    expect(after.status).toBe("bounced");
  });

  it("counts a complaint after a delivery, and a delivery after it changes nothing", async () => {
    const { apply } = await aHarness();
    expect((await apply("Delivery", { at: later(1) })).status).toBe("delivered");
    expect((await apply("Complaint", { at: later(60) })).status).toBe("complained");
    const after = await apply("Delivery", { at: later(120) });
    expect(after.status).toBe("complained");
    expect(after.history.filter((e) => e.status === "delivered")).toHaveLength(1);
  });

  it("lets a final event end a delay whatever the order, and a delay after it changes nothing", async () => {
    const { apply } = await aHarness();
    expect((await apply("DeliveryDelay", { at: later(1) })).status).toBe("delivery_delayed");
    expect((await apply("Delivery", { at: later(5) })).status).toBe("delivered");
    expect((await apply("DeliveryDelay", { at: later(9) })).status).toBe("delivered");
  });

  it("changes nothing when the same event arrives twice", async () => {
    const { apply } = await aHarness();
    const once = await apply("Bounce", { at: later(3) });
    const twice = await apply("Bounce", { at: later(3) });
    expect(twice.history).toEqual(once.history);
    expect(twice.outcomes).toEqual(once.outcomes);
  });

  it("keeps each recipient's outcome: bounced for one, delivered to two, so the message is bounced", async () => {
    const recipients = ["a@example.com", "b@example.com", "c@example.com"];
    const { apply } = await aHarness(recipients);
    await apply("Delivery", { recipients: ["a@example.com", "b@example.com"], at: later(1) });
    const after = await apply("Bounce", { recipients: ["C@Example.com"], at: later(2) });
    expect(after.status).toBe("bounced");
    expect(Object.fromEntries(Object.entries(after.outcomes ?? {}).map(([r, o]) => [r, o.status]))).toEqual({
      "a@example.com": "delivered",
      "b@example.com": "delivered",
      "c@example.com": "bounced",
    });
  });

  it("stays sent until every recipient is delivered, then is delivered", async () => {
    const { apply } = await aHarness(["a@example.com", "b@example.com"]);
    expect((await apply("Delivery", { recipients: ["a@example.com"] })).status).toBe("sent");
    expect((await apply("Delivery", { recipients: ["b@example.com"], at: later(4) })).status).toBe("delivered");
  });

  it("drops an event for an unknown message, or one without Herald's tag, without throwing", async () => {
    const { deps, store } = await aHarness();
    await expect(handleEvent(parseEventRecord(anSqsRecord(snsWrapped(sesEvent("Bounce", { heraldMessageId: "5b0f1c1e-0000-4000-8000-000000000000", recipients: ["x@example.com"] })))), deps)).resolves.toBeUndefined();
    await expect(handleEvent(parseEventRecord(anSqsRecord(snsWrapped(sesEvent("Bounce", { recipients: ["x@example.com"] })))), deps)).resolves.toBeUndefined();
    expect([...store.records.values()].every((r) => r.status === "sent")).toBe(true);
  });

  it("ignores a Send event and an SNS subscription confirmation", async () => {
    const { apply, deps } = await aHarness();
    expect((await apply("Send")).status).toBe("sent");
    await expect(handleEvent(parseEventRecord(anSqsRecord({ Type: "SubscriptionConfirmation", MessageId: "m", SubscribeURL: "https://sns" })), deps)).resolves.toBeUndefined();
  });
});

describe("parseEventRecord", () => {
  it.each([["not json"], [JSON.stringify({ Type: "Notification", Message: "{not json" })], [JSON.stringify({ hello: "world" })], [JSON.stringify(snsWrapped({ eventType: "Bounce" }))]])(
    "refuses a malformed body as poison (it ends in the DLQ after the bounded receives): %s",
    (body) => {
      expect(() => parseEventRecord(anSqsRecord(body))).toThrow(PoisonMessageError);
    },
  );
});
