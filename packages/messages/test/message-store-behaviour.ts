import { createHmac, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { MessageRecord } from "@herald/contracts";
import { aMessageRecord } from "@herald/testing";
import { applyProviderEvent, encodeCursor, InvalidCursorError, type ListByRecipientQuery, type MessageStore, type ProviderEvent } from "../src/index";

/*
 * The behaviour every MessageStore adapter must share. Each test works under its own tenant and
 * recipient, so the suite can run against one long-lived table without resets.
 */

const BASE = Date.parse("2030-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(BASE + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();

type Scope = { tenant: string; recipient: string };

/** What the ingest service hands the store for a recipient: its keyed digest (the key is the test's). */
/**
 * What a status write returns is the status side of the message: an adapter may leave out the
 * content it keeps apart (see MessageStore). Compared with what `get` returns, whole, on that side.
 */
const statusSide = (record: MessageRecord | undefined) => {
  if (!record) return record;
  const { content: _content, sealed: _sealed, ...rest } = record;
  return rest;
};

const hmacOf = (recipient: string) => createHmac("sha256", "behaviour-suite-key-of-32-characters").update(recipient).digest("hex");

function aScope(): Scope {
  return { tenant: `t-${randomUUID()}`, recipient: `${randomUUID()}@example.com` };
}

/** A record created `seconds` after BASE, sent to the scope's recipient. */
function aRecordAt(scope: Scope, seconds: number, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return aMessageRecord({
    tenant: scope.tenant,
    recipients: [scope.recipient],
    created_at: iso(seconds),
    updated_at: iso(seconds),
    history: [{ status: "queued", at: iso(seconds) }],
    ...overrides,
  });
}

async function createAll(store: MessageStore, records: readonly MessageRecord[]): Promise<void> {
  for (const record of records) await store.create(record);
}

/** Follows next cursors to the end, calling `between` after each page; returns the ids per page. */
async function allPages(
  store: MessageStore,
  query: Omit<ListByRecipientQuery, "cursor">,
  between: (pageIndex: number) => Promise<void> = async () => {},
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listByRecipient({ ...query, ...(cursor !== undefined && { cursor }) });
    pages.push(page.items.map((r) => r.id));
    if (page.nextCursor === null) return pages;
    if (pages.length > 50) throw new Error("pagination does not end");
    cursor = page.nextCursor;
    await between(pages.length - 1);
  }
}

const newestFirst = (records: readonly MessageRecord[]) =>
  [...records].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0)).map((r) => r.id);

export function describeMessageStore(name: string, makeStore: () => MessageStore): void {
  describe(`${name} create and get`, () => {
    it("returns the record as it was created", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const record = aRecordAt(scope, 0, {
        recipients: [scope.recipient, "bob@example.com"],
        content: {
          channel: "email",
          from: "noreply@herald.local",
          to: [scope.recipient],
          cc: ["bob@example.com"],
          subject: "Your receipt",
          html: "<p>Thanks</p>",
          text: "Thanks",
        },
        metadata: { order: "A-1001" },
        send_at: iso(600),
      });

      // Act
      await store.create(record);
      const found = await store.get(record.id);

      // Assess
      expect(found).toEqual(record);
    });

    it("returns undefined for an id it does not hold", async () => {
      // Prepare
      const store = makeStore();

      // Act
      const found = await store.get(randomUUID());

      // Assess
      expect(found).toBeUndefined();
    });

    it("refuses a second record with the same id and writes nothing of it", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const first = aRecordAt(scope, 0);
      const other = aScope();
      const second = aRecordAt({ tenant: scope.tenant, recipient: other.recipient }, 10, { id: first.id, principal: "key:intruder" });
      await store.create(first);

      // Act
      const attempt = store.create(second);

      // Assess
      await expect(attempt).rejects.toThrow();
      expect(await store.get(first.id)).toEqual(first);
      const otherPage = await store.listByRecipient({ tenant: scope.tenant, recipient: other.recipient, limit: 10 });
      expect(otherPage.items).toEqual([]);
      const ownPage = await store.listByRecipient({ ...scope, limit: 10 });
      expect(ownPage.items.map((r) => r.id)).toEqual([first.id]);
    });
  });

  describe(`${name} listByRecipient`, () => {
    it("lists a recipient's messages newest first", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const records = [aRecordAt(scope, 20), aRecordAt(scope, 0), aRecordAt(scope, 30), aRecordAt(scope, 10)];
      await createAll(store, records);

      // Act
      const page = await store.listByRecipient({ ...scope, limit: 10 });

      // Assess
      expect(page.items.map((r) => r.created_at)).toEqual([iso(30), iso(20), iso(10), iso(0)]);
      expect(page.items[0]).toEqual(records[2]);
      expect(page.nextCursor).toBeNull();
    });

    it("lists a message under each of its recipients", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const cc = `${randomUUID()}@example.com`;
      const record = aRecordAt(scope, 0, { recipients: [scope.recipient, cc] });
      await store.create(record);

      // Act
      const toPage = await store.listByRecipient({ ...scope, limit: 10 });
      const ccPage = await store.listByRecipient({ tenant: scope.tenant, recipient: cc, limit: 10 });

      // Assess
      expect(toPage.items.map((r) => r.id)).toEqual([record.id]);
      expect(ccPage.items.map((r) => r.id)).toEqual([record.id]);
    });

    it("returns an empty page and no cursor for a recipient without messages", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();

      // Act
      const page = await store.listByRecipient({ ...scope, limit: 10 });

      // Assess
      expect(page).toEqual({ items: [], nextCursor: null });
    });

    it("pages with a cursor without skipping or repeating, and ends without a cursor", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const records = Array.from({ length: 7 }, (_, i) => aRecordAt(scope, i));
      await createAll(store, records);

      // Act
      const pages = await allPages(store, { ...scope, limit: 3 });

      // Assess
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual(newestFirst(records));
    });

    it("returns no cursor when the last page is exactly full", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const records = Array.from({ length: 4 }, (_, i) => aRecordAt(scope, i));
      await createAll(store, records);

      // Act
      const pages = await allPages(store, { ...scope, limit: 2 });

      // Assess
      expect(pages).toEqual([newestFirst(records).slice(0, 2), newestFirst(records).slice(2)]);
    });

    it("orders messages created in the same millisecond by id, and pages through them", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const records = Array.from({ length: 5 }, () => aRecordAt(scope, 0));
      await createAll(store, records);
      const byIdDescending = records.map((r) => r.id).sort().reverse();

      // Act
      const pages = await allPages(store, { ...scope, limit: 2 });

      // Assess
      expect(pages.flat()).toEqual(byIdDescending);
    });

    it("neither skips nor repeats a message while newer ones arrive between page fetches", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const original = Array.from({ length: 9 }, (_, i) => aRecordAt(scope, i * 10));
      await createAll(store, original);
      let arrived = 0;
      // After page k the cursor sits on the message created at 70 - 20k seconds. Per boundary, one
      // message newer than all, and one newer than the cursor but older than pages already read.
      const arrive = async (pageIndex: number) => {
        arrived += 1;
        await store.create(aRecordAt(scope, 1000 + pageIndex));
        await store.create(aRecordAt(scope, 75 - 20 * pageIndex));
      };

      // Act
      const pages = await allPages(store, { ...scope, limit: 2 }, arrive);

      // Assess
      expect(arrived).toBeGreaterThanOrEqual(4);
      expect(pages.flat()).toEqual(newestFirst(original));
    });

    it("lists only the principal's own messages and still fills pages when principals interleave", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      // Mine are far apart: between two of mine lie more of theirs than one page (plus one) holds.
      const pattern = ["theirs", "mine", "theirs", "theirs", "theirs", "theirs", "mine", "mine", "theirs", "mine",
        "theirs", "theirs", "theirs", "theirs", "theirs", "mine", "theirs"] as const;
      const records = pattern.map((who, i) => aRecordAt(scope, i, { principal: `key:${who}` }));
      await createAll(store, records);
      const mine = records.filter((r) => r.principal === "key:mine");

      // Act
      const pages = await allPages(store, { ...scope, principal: "key:mine", limit: 2 });

      // Assess
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(newestFirst(mine));
    });

    it("returns an empty page when the principal has no messages among many of others", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      await createAll(store, Array.from({ length: 6 }, (_, i) => aRecordAt(scope, i, { principal: "key:theirs" })));

      // Act
      const page = await store.listByRecipient({ ...scope, principal: "key:mine", limit: 2 });

      // Assess
      expect(page).toEqual({ items: [], nextCursor: null });
    });

    it("does not list the same recipient's messages of another tenant", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const otherTenant = { ...scope, tenant: `t-${randomUUID()}` };
      const ours = aRecordAt(scope, 0);
      const theirs = aRecordAt(otherTenant, 10);
      await createAll(store, [ours, theirs]);

      // Act
      const page = await store.listByRecipient({ ...scope, limit: 10 });
      const theirPage = await store.listByRecipient({ ...otherTenant, limit: 10 });

      // Assess
      expect(page.items.map((r) => r.id)).toEqual([ours.id]);
      expect(theirPage.items.map((r) => r.id)).toEqual([theirs.id]);
    });

    it.each([
      ["is not base64 JSON", "not-a-cursor!"],
      ["has no sort key", Buffer.from(JSON.stringify({ x: 1 })).toString("base64url")],
      ["carries a sort key of the wrong shape", encodeCursor("RCPT#other-tenant#bob@example.com")],
      ["has a sort key with a key condition injected", encodeCursor(`2030-01-01T00:00:00.000Z#${randomUUID()} OR 1=1`)],
    ])("throws InvalidCursorError when the cursor %s", async (_, cursor) => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      await store.create(aRecordAt(scope, 0));

      // Act
      const listing = store.listByRecipient({ ...scope, limit: 10, cursor });

      // Assess
      await expect(listing).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it("treats an empty cursor as the first page", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const records = [aRecordAt(scope, 0), aRecordAt(scope, 1)];
      await createAll(store, records);

      // Act
      const page = await store.listByRecipient({ ...scope, limit: 10, cursor: "" });

      // Assess
      expect(page.items.map((r) => r.id)).toEqual(newestFirst(records));
    });

    it("throws InvalidCursorError when a real cursor was cut short", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      await createAll(store, [aRecordAt(scope, 0), aRecordAt(scope, 1)]);
      const { nextCursor } = await store.listByRecipient({ ...scope, limit: 1 });
      if (nextCursor === null) throw new Error("expected a next cursor");
      const tampered = nextCursor.slice(0, Math.floor(nextCursor.length / 2));

      // Act
      const listing = store.listByRecipient({ ...scope, limit: 1, cursor: tampered });

      // Assess
      await expect(listing).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });

  describe(`${name} claim`, () => {
    it("moves a queued message to sending, counts the attempt and records it in the history", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);

      // Act
      const result = await store.claim(record.id, at(5), 60);

      // Assess
      expect(result.claimed).toBe(true);
      expect(result.record).toMatchObject({ status: "sending", attempts: 1, updated_at: iso(5) });
      expect(result.record?.history).toEqual([
        { status: "queued", at: iso(0) },
        { status: "sending", at: iso(5) },
      ]);
      expect(await store.get(record.id)).toEqual(result.record);
    });

    it("lets exactly one of two concurrent claims win", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);

      // Act
      const results = await Promise.all([store.claim(record.id, at(5), 60), store.claim(record.id, at(5), 60)]);

      // Assess
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      const stored = await store.get(record.id);
      expect(stored).toMatchObject({ status: "sending", attempts: 1 });
      expect(stored?.history.filter((e) => e.status === "sending")).toHaveLength(1);
    });

    it("refuses a claim on a sent message and returns it unchanged", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0, { status: "sent", attempts: 1 });
      await store.create(record);

      // Act
      const result = await store.claim(record.id, at(5), 60);

      // Assess
      expect(result).toEqual({ claimed: false, record });
    });

    it("refuses a second claim while the first one's lease runs", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);
      await store.claim(record.id, at(5), 60);

      // Act
      const result = await store.claim(record.id, at(64), 60);

      // Assess
      expect(result.claimed).toBe(false);
      expect(result.record).toMatchObject({ status: "sending", attempts: 1 });
    });

    it("retakes a claim whose lease ran out and counts another attempt", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);
      await store.claim(record.id, at(5), 60);

      // Act
      const result = await store.claim(record.id, at(5 + 61), 60);

      // Assess
      expect(result.claimed).toBe(true);
      expect(result.record).toMatchObject({ status: "sending", attempts: 2, updated_at: iso(66) });
      expect(result.record?.history.map((e) => e.status)).toEqual(["queued", "sending", "sending"]);
    });

    it("claims a retrying message again", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);
      await store.claim(record.id, at(5), 60);
      await store.transition(record.id, { to: "retrying", at: at(6), from: ["sending"], code: "email.throttled" });

      // Act
      const result = await store.claim(record.id, at(7), 60);

      // Assess
      expect(result.claimed).toBe(true);
      expect(result.record).toMatchObject({ status: "sending", attempts: 2 });
    });

    it("does not claim a message it does not hold", async () => {
      // Prepare
      const store = makeStore();

      // Act
      const result = await store.claim(randomUUID(), at(5), 60);

      // Assess
      expect(result).toEqual({ claimed: false, record: undefined });
    });
  });

  describe(`${name} transition`, () => {
    it("moves the status, appends to the history and records the provider's message id", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);
      await store.claim(record.id, at(5), 60);

      // Act
      const updated = await store.transition(record.id, { to: "sent", at: at(6), from: ["sending"], providerMessageId: "ses-123" });

      // Assess
      expect(updated).toMatchObject({ status: "sent", updated_at: iso(6), provider_message_id: "ses-123", attempts: 1 });
      expect(updated?.failure).toBeUndefined();
      expect(updated?.history).toEqual([
        { status: "queued", at: iso(0) },
        { status: "sending", at: iso(5) },
        { status: "sent", at: iso(6) },
      ]);
      expect(statusSide(await store.get(record.id))).toEqual(statusSide(updated));
    });

    it("records the provider, its reply and earlier events before this one", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);
      await store.claim(record.id, at(5), 60);
      const failover = { status: "sending" as const, at: iso(6), provider: "ses", code: "email.throttled", reason: "SES throttled the send" };

      // Act
      const updated = await store.transition(record.id, {
        to: "sent",
        at: at(7),
        from: ["sending"],
        provider: "smtp",
        providerMessageId: `<${record.id}@herald.local>`,
        providerReply: "250 2.0.0 Ok: queued as 4Xyz",
        earlier: [failover],
      });

      // Assess
      expect(updated).toMatchObject({
        status: "sent",
        provider: "smtp",
        provider_message_id: `<${record.id}@herald.local>`,
        provider_reply: "250 2.0.0 Ok: queued as 4Xyz",
      });
      expect(updated?.failure).toBeUndefined();
      expect(updated?.history).toEqual([
        { status: "queued", at: iso(0) },
        { status: "sending", at: iso(5) },
        failover,
        { status: "sent", at: iso(7), provider: "smtp" },
      ]);
      expect(statusSide(await store.get(record.id))).toEqual(statusSide(updated));
    });

    it("records a failure with its code and reason", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);

      // Act
      const updated = await store.transition(record.id, {
        to: "failed",
        at: at(6),
        code: "email.sender_not_verified",
        reason: "The sender is not verified",
      });

      // Assess
      expect(updated?.failure).toEqual({ code: "email.sender_not_verified", reason: "The sender is not verified" });
      expect(updated?.history.at(-1)).toEqual({
        status: "failed",
        at: iso(6),
        code: "email.sender_not_verified",
        reason: "The sender is not verified",
      });
    });

    it("uses the code as the failure reason when no reason is given", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);

      // Act
      const updated = await store.transition(record.id, { to: "failed", at: at(6), code: "email.rejected" });

      // Assess
      expect(updated?.failure).toEqual({ code: "email.rejected", reason: "email.rejected" });
      expect(updated?.history.at(-1)).toEqual({ status: "failed", at: iso(6), code: "email.rejected" });
    });

    it("returns undefined and writes nothing when the status is not one of from", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0, { status: "sent" });
      await store.create(record);

      // Act
      const updated = await store.transition(record.id, { to: "failed", at: at(6), from: ["queued", "sending"], code: "email.rejected" });

      // Assess
      expect(updated).toBeUndefined();
      expect(await store.get(record.id)).toEqual(record);
    });

    it("moves from any status when from is not given", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0, { status: "sent" });
      await store.create(record);

      // Act
      const updated = await store.transition(record.id, { to: "delivered", at: at(6) });

      // Assess
      expect(updated?.status).toBe("delivered");
    });

    it("returns undefined for a message it does not hold", async () => {
      // Prepare
      const store = makeStore();

      // Act
      const updated = await store.transition(randomUUID(), { to: "sent", at: at(6) });

      // Assess
      expect(updated).toBeUndefined();
    });
  });

  describe(`${name} deadLetter`, () => {
    const why = { code: "queue.dead_lettered", reason: "its queue gave up on it" };

    it("marks a queued message dead_lettered with the reason, in its failure and its history", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);

      // Act
      const marked = await store.deadLetter(record.id, { tenant: record.tenant, at: at(9), ...why });

      // Assess
      expect(marked).toMatchObject({ status: "dead_lettered", updated_at: iso(9), attempts: 0, failure: why });
      expect(marked?.history).toEqual([{ status: "queued", at: iso(0) }, { status: "dead_lettered", at: iso(9), ...why }]);
      expect(statusSide(await store.get(record.id))).toEqual(statusSide(marked));
    });

    it("keeps the provider's last failure of a retrying message", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);
      await store.claim(record.id, at(1), 60);
      await store.transition(record.id, { to: "retrying", at: at(2), from: ["sending"], code: "email.throttled", reason: "SES throttled the send" });

      // Act
      const marked = await store.deadLetter(record.id, { tenant: record.tenant, at: at(9), ...why });

      // Assess
      expect(marked).toMatchObject({ status: "dead_lettered", failure: { code: "email.throttled", reason: "SES throttled the send" } });
      expect(marked?.history.at(-1)).toEqual({ status: "dead_lettered", at: iso(9), ...why });
    });

    it("leaves a sent message as it is", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);
      await store.claim(record.id, at(1), 60);
      const sent = await store.transition(record.id, { to: "sent", at: at(2), from: ["sending"], providerMessageId: "p-1" });

      // Act
      const marked = await store.deadLetter(record.id, { tenant: record.tenant, at: at(9), ...why });

      // Assess
      expect(marked).toBeUndefined();
      expect(statusSide(await store.get(record.id))).toEqual(statusSide(sent));
    });

    it("leaves a message a live claim holds, and marks it once the claim's lease ran out", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);
      await store.claim(record.id, at(1), 60);

      // Act
      const whileHeld = await store.deadLetter(record.id, { tenant: record.tenant, at: at(30), ...why });
      const afterLease = await store.deadLetter(record.id, { tenant: record.tenant, at: at(62), ...why });

      // Assess
      expect(whileHeld).toBeUndefined();
      expect(afterLease).toMatchObject({ status: "dead_lettered", attempts: 1 });
    });

    it("leaves another tenant's message, and one it does not hold", async () => {
      // Prepare
      const store = makeStore();
      const record = aRecordAt(aScope(), 0);
      await store.create(record);

      // Act
      const other = await store.deadLetter(record.id, { tenant: "globex", at: at(9), ...why });
      const missing = await store.deadLetter(randomUUID(), { tenant: record.tenant, at: at(9), ...why });

      // Assess
      expect(other).toBeUndefined();
      expect(missing).toBeUndefined();
      expect(await store.get(record.id)).toEqual(record);
    });
  });

  describe(`${name} seal and eraseRecipient`, () => {
    const sealed = { v: 1, alg: "AES-256-GCM", key: "a2V5", key_id: "k", iv: "aXY=", tag: "dGFn", ciphertext: "Y3Q=" } as const;

    it("seals once: a second seal of the same message changes nothing", async () => {
      // Prepare
      const store = makeStore();
      const { content: _plain, ...record } = aRecordAt(aScope(), 1, { store_secure: true });
      await store.create(record);

      // Act
      const first = await store.seal(record.id, sealed, at(2));
      const second = await store.seal(record.id, { ...sealed, ciphertext: "b3RoZXI=" }, at(3));

      // Assess
      expect([first, second]).toEqual([true, false]);
      expect((await store.get(record.id))?.sealed).toEqual(sealed);
    });

    it("refuses to seal a missing message", async () => {
      const store = makeStore();
      expect(await store.seal(randomUUID(), sealed, at(1))).toBe(false);
    });

    const erase = (store: MessageStore, scope: Scope, seconds: number, principal = "admin") =>
      store.eraseRecipient({ ...scope, recipientHmac: hmacOf(scope.recipient), principal, at: at(seconds) });

    it("erases every message of the tenant to the recipient: content, sealed content, metadata and the address", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const plain = aRecordAt(scope, 1, { metadata: { order: "A-1001" } });
      const { content: _c, ...secure } = aRecordAt(scope, 2, { store_secure: true });
      const otherRecipient = aRecordAt({ ...scope, recipient: `${randomUUID()}@example.com` }, 3, { metadata: { order: "B-7" } });
      const otherTenant = aRecordAt({ ...scope, tenant: `t-${randomUUID()}` }, 4);
      await createAll(store, [plain, secure, otherRecipient, otherTenant]);
      await store.seal(secure.id, sealed, at(5));

      // Act
      const erased = await erase(store, scope, 6);

      // Assess
      expect(erased).toEqual({ erased: 2, firstErasedAt: iso(6) });
      const [p, s, r, t] = await Promise.all([plain, secure, otherRecipient, otherTenant].map((m) => store.get(m.id)));
      for (const record of [p, s]) {
        expect(record).toMatchObject({ erased_at: iso(6), updated_at: iso(6), recipients: [] });
        expect(record).not.toHaveProperty("content");
        expect(record).not.toHaveProperty("sealed");
        expect(record).not.toHaveProperty("metadata");
        expect(JSON.stringify(record)).not.toContain(scope.recipient);
      }
      expect(r).toEqual(otherRecipient);
      expect(t).toEqual(otherTenant);
      expect(await store.seal(secure.id, sealed, at(8))).toBe(false);
    });

    it("lists nothing for the erased recipient afterwards", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      await createAll(store, [aRecordAt(scope, 1), aRecordAt(scope, 2), aRecordAt(scope, 3)]);

      // Act
      await erase(store, scope, 6);
      const page = await store.listByRecipient({ ...scope, limit: 10 });

      // Assess
      expect(page).toEqual({ items: [], nextCursor: null });
    });

    it("erases again idempotently: nothing more to erase, and the first erasure's time", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      await store.create(aRecordAt(scope, 1));
      await erase(store, scope, 6);

      // Act
      const again = await erase(store, scope, 9, "someone-else");

      // Assess
      expect(again).toEqual({ erased: 0, firstErasedAt: iso(6) });
    });

    it("erases what was sent to the recipient after an earlier erasure", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      await store.create(aRecordAt(scope, 1));
      await erase(store, scope, 6);
      const later = aRecordAt(scope, 7);
      await store.create(later);

      // Act
      const again = await erase(store, scope, 9);

      // Assess
      expect(again).toEqual({ erased: 1, firstErasedAt: iso(6) });
      expect(await store.get(later.id)).toMatchObject({ erased_at: iso(9), recipients: [] });
      expect((await store.listByRecipient({ ...scope, limit: 10 })).items).toEqual([]);
    });

    it("keeps a co-recipient's history of an erased message, without the erased address", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const cc = `${randomUUID()}@example.com`;
      const shared = aRecordAt(scope, 1, { recipients: [scope.recipient, cc] });
      await store.create(shared);

      // Act
      const first = await erase(store, scope, 6);
      const ccPage = await store.listByRecipient({ tenant: scope.tenant, recipient: cc, limit: 10 });
      const second = await erase(store, { tenant: scope.tenant, recipient: cc }, 8);

      // Assess
      expect(first.erased).toBe(1);
      expect(ccPage.items.map((r) => r.id)).toEqual([shared.id]);
      expect(ccPage.items[0]).toMatchObject({ erased_at: iso(6), recipients: [cc] });
      expect(ccPage.items[0]).not.toHaveProperty("content");
      expect(second).toEqual({ erased: 1, firstErasedAt: iso(8) });
      expect(await store.get(shared.id)).toMatchObject({ erased_at: iso(6), updated_at: iso(8), recipients: [] });
    });

    it("erases nothing of another tenant's messages to the same recipient", async () => {
      // Prepare
      const store = makeStore();
      const scope = aScope();
      const theirs = aRecordAt({ ...scope, tenant: `t-${randomUUID()}` }, 1);
      await store.create(theirs);

      // Act
      const erased = await erase(store, scope, 6);

      // Assess
      expect(erased).toEqual({ erased: 0, firstErasedAt: iso(6) });
      expect(await store.get(theirs.id)).toEqual(theirs);
      expect((await store.listByRecipient({ tenant: theirs.tenant, recipient: scope.recipient, limit: 10 })).items).toEqual([theirs]);
    });
  });

  describe(`${name} provider events`, () => {
    const event = (status: ProviderEvent["status"], recipients: string[], seconds: number): ProviderEvent => ({ provider: "ses", status, at: at(seconds), recipients });

    it("applies events for different recipients, even at once, without losing either outcome", async () => {
      // Prepare
      const store = makeStore();
      const record = aMessageRecord({ tenant: `t-${randomUUID()}`, status: "sent", recipients: ["a@example.com", "b@example.com"] });
      await store.create(record);
      // Act
      await Promise.all([
        store.applyEvent(record.id, (r) => applyProviderEvent(r, event("delivered", ["a@example.com"], 1), at(9))),
        store.applyEvent(record.id, (r) => applyProviderEvent(r, event("delivered", ["b@example.com"], 2), at(9))),
      ]);
      // Assess
      const after = await store.get(record.id);
      expect(after?.status).toBe("delivered");
      expect(Object.keys(after?.outcomes ?? {}).sort()).toEqual(["a@example.com", "b@example.com"]);
      expect(after?.history.filter((e) => e.status === "delivered")).toHaveLength(2);
    });

    it("writes nothing for an event that changes nothing, and answers an unknown message with no record", async () => {
      const store = makeStore();
      const record = aMessageRecord({ tenant: `t-${randomUUID()}`, status: "sent" });
      await store.create(record);
      await store.applyEvent(record.id, (r) => applyProviderEvent(r, event("bounced", ["alice@example.com"], 5), at(9)));
      const once = await store.get(record.id);
      const again = await store.applyEvent(record.id, (r) => applyProviderEvent(r, event("delivered", ["alice@example.com"], 6), at(9)));
      expect(again.change).toBeUndefined();
      expect(await store.get(record.id)).toEqual(once);
      expect((await store.applyEvent(randomUUID(), () => undefined)).record).toBeUndefined();
    });

    it("takes an erased recipient's outcome away with its address", async () => {
      const store = makeStore();
      const scope = { tenant: `t-${randomUUID()}`, recipient: `r-${randomUUID()}@example.com` };
      const record = aMessageRecord({ tenant: scope.tenant, status: "sent", recipients: [scope.recipient, "other@example.com"] });
      await store.create(record);
      await store.applyEvent(record.id, (r) => applyProviderEvent(r, event("bounced", [scope.recipient, "other@example.com"], 1), at(9)));
      await store.eraseRecipient({ ...scope, recipientHmac: hmacOf(scope.recipient), principal: "p", at: at(10) });
      const after = await store.get(record.id);
      expect(Object.keys(after?.outcomes ?? {})).toEqual(["other@example.com"]);
      expect(JSON.stringify(after)).not.toContain(scope.recipient);
    });
  });
}
