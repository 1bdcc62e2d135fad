import { describe, expect, it } from "vitest";
import { Roles, type EmailContent, type MessageRecord, type Role } from "@herald/contracts";
import { sealContent } from "@herald/crypto";
import { anIngestApp, NOW } from "./harness";

/*
 * Every route × every caller × every target, one test per cell. The expected answer comes from
 * DESIGN.md's rules, restated in `expected` below, deliberately without @herald/auth's policy:
 * a matrix that asked the code under test what to expect could not fail.
 *
 * Every key is tenant "acme", principal "alice". The other tenant's message also belongs to a
 * principal called "alice", so a check on the principal alone would leak it.
 */

type Harness = Awaited<ReturnType<typeof anIngestApp>>;

// Spelled out rather than ALL_ROLES, so a role dropped from the contracts cannot shrink the matrix.
const EVERY_ROLE: readonly Role[] = [Roles.send, Roles.read, Roles.readAll, Roles.decrypt, Roles.erase];

type Caller = { name: string; credential: "none" | "invalid" | readonly Role[] };
const CALLERS: readonly Caller[] = [
  { name: "no credentials", credential: "none" },
  { name: "invalid key", credential: "invalid" },
  ...EVERY_ROLE.map((role) => ({ name: role, credential: [role] })),
  { name: "no roles", credential: [] },
  { name: "all roles", credential: EVERY_ROLE },
];

// Well formed, so it reaches the key store's look-up and is refused there, not by its shape.
const UNKNOWN_KEY = `hk_0123456789ab_${"A".repeat(43)}`;

const RECIPIENT = "carol@example.com";

type Seeded = "own" | "colleague" | "foreign";
type Target = Seeded | "missing";
// The callers are API keys named alice and bob, so their principals are key:alice and key:bob.
const SEEDED = {
  own: { id: "11111111-1111-4111-8111-000000000001", tenant: "acme", principal: "key:alice", text: "for alice at acme" },
  colleague: { id: "11111111-1111-4111-8111-000000000002", tenant: "acme", principal: "key:bob", text: "for bob at acme" },
  foreign: { id: "11111111-1111-4111-8111-000000000003", tenant: "globex", principal: "key:alice", text: "for alice at globex" },
} as const satisfies Record<Seeded, { id: string; tenant: string; principal: string; text: string }>;
const MISSING_ID = "11111111-1111-4111-8111-0000000000ff";
const SEEDED_TARGETS = Object.keys(SEEDED) as Seeded[];
const ID_TARGETS: readonly Target[] = [...SEEDED_TARGETS, "missing"];

const TARGET_NAMES: Record<Target, string> = {
  own: "own message",
  colleague: "same-tenant other principal",
  foreign: "other tenant",
  missing: "does not exist",
};
const idOf = (target: Target) => (target === "missing" ? MISSING_ID : SEEDED[target].id);

type RouteName = "send" | "batch" | "get" | "list" | "decrypt" | "erase" | "erase-deprecated" | "legacy-post" | "legacy-get";
type Effect = "listed" | "not listed" | "erased" | "kept";
type Expectation = { status: number; effect?: Effect };

/** The rules of "Identity and data security", for a caller of tenant acme, principal alice. */
function expected(route: RouteName, caller: Caller, target?: Target): Expectation {
  const kept = route === "erase" || route === "erase-deprecated" ? ({ effect: "kept" } as const) : {};
  if (caller.credential === "none" || caller.credential === "invalid") return { status: 401, ...kept };
  const roles = caller.credential;
  const has = (role: Role) => roles.includes(role);
  const canReadAny = has(Roles.read) || has(Roles.readAll);
  const sameTenant = target === "own" || target === "colleague";
  // Own messages with any read role; a colleague's only with read-all; another tenant's never.
  const visible = target === "own" || (target === "colleague" && has(Roles.readAll));
  switch (route) {
    case "send":
      return { status: has(Roles.send) ? 202 : 403 };
    case "legacy-post":
      return { status: has(Roles.send) ? 201 : 403 };
    case "batch":
      return { status: has(Roles.send) ? 200 : 403 };
    case "get":
      if (!canReadAny) return { status: 403 };
      return { status: visible ? 200 : 404 };
    case "list":
    case "legacy-get":
      if (!canReadAny) return { status: 403 };
      return { status: 200, effect: visible ? "listed" : "not listed" };
    case "decrypt":
      if (!has(Roles.decrypt)) return { status: 403 };
      return { status: visible ? 200 : 404 };
    case "erase":
    case "erase-deprecated":
      // Erasure is per recipient across the caller's tenant, and never reaches another tenant.
      if (!has(Roles.erase)) return { status: 403, ...kept };
      return { status: 200, effect: sameTenant ? "erased" : "kept" };
  }
}

/** Three sealed store_secure emails to one recipient, as the secure-store consumer leaves them. */
async function seed(harness: Harness): Promise<void> {
  for (const message of Object.values(SEEDED)) {
    const at = NOW.toISOString();
    const record: MessageRecord = {
      id: message.id,
      tenant: message.tenant,
      principal: message.principal,
      channel: "email",
      status: "sent",
      created_at: at,
      updated_at: at,
      store_secure: true,
      recipients: [RECIPIENT],
      attempts: 1,
      history: [
        { status: "queued", at },
        { status: "sent", at },
      ],
    };
    const content: EmailContent = { channel: "email", from: "noreply@herald.local", to: [RECIPIENT], subject: "Secret", text: message.text };
    await harness.store.create(record);
    if (!(await harness.store.seal(record.id, await sealContent(harness.cipher, record, content), NOW))) throw new Error("not sealed");
  }
}

async function headersFor(harness: Harness, caller: Caller): Promise<Record<string, string>> {
  if (caller.credential === "none") return {};
  if (caller.credential === "invalid") return { "x-api-key": UNKNOWN_KEY };
  return { "x-api-key": await harness.keyFor(caller.credential, "acme", "alice") };
}

const anEmail = { channel: "email", to: RECIPIENT, subject: "Hello", text: "hi" };
const json = (headers: Record<string, string>) => ({ ...headers, "content-type": "application/json" });

type Route = {
  name: RouteName;
  title: string;
  targets: readonly (Target | undefined)[];
  call: (harness: Harness, headers: Record<string, string>, target: Target | undefined) => Promise<Response>;
};

const ROUTES: readonly Route[] = [
  {
    name: "send",
    title: "POST /v1/messages",
    targets: [undefined],
    call: async ({ app }, headers) => app.request("/v1/messages", { method: "POST", headers: json(headers), body: JSON.stringify(anEmail) }),
  },
  {
    name: "batch",
    title: "POST /v1/messages/batch",
    targets: [undefined],
    call: async ({ app }, headers) =>
      app.request("/v1/messages/batch", { method: "POST", headers: json(headers), body: JSON.stringify({ items: [{ message: anEmail }] }) }),
  },
  {
    name: "get",
    title: "GET /v1/messages/{id}",
    targets: ID_TARGETS,
    call: async ({ app }, headers, target = "missing") => app.request(`/v1/messages/${idOf(target)}`, { headers }),
  },
  {
    name: "list",
    title: "GET /v1/messages?recipient=",
    targets: SEEDED_TARGETS,
    call: async ({ app }, headers) => app.request(`/v1/messages?recipient=${RECIPIENT}&limit=100`, { headers }),
  },
  {
    name: "legacy-post",
    title: "POST /msg",
    targets: [undefined],
    call: async ({ app }, headers) => app.request(`/msg?msg_id=${RECIPIENT}&msg=hi&subject=Hello&store_secure=False`, { method: "POST", headers }),
  },
  {
    name: "legacy-get",
    title: "GET /msg?msg_id=",
    targets: SEEDED_TARGETS,
    call: async ({ app }, headers) => app.request(`/msg?msg_id=${RECIPIENT}`, { headers }),
  },
  {
    name: "decrypt",
    title: "POST /v1/messages/{id}/decrypt",
    targets: ID_TARGETS,
    call: async ({ app }, headers, target = "missing") => app.request(`/v1/messages/${idOf(target)}/decrypt`, { method: "POST", headers }),
  },
  {
    name: "erase",
    title: "POST /v1/recipients/erase",
    targets: SEEDED_TARGETS,
    call: async ({ app }, headers) =>
      app.request("/v1/recipients/erase", { method: "POST", headers: json(headers), body: JSON.stringify({ recipient: RECIPIENT }) }),
  },
  {
    name: "erase-deprecated",
    title: "DELETE /v1/recipients/{recipient} (deprecated)",
    targets: SEEDED_TARGETS,
    call: async ({ app }, headers) => app.request(`/v1/recipients/${RECIPIENT}`, { method: "DELETE", headers }),
  },
];

type Json = Record<string, unknown>;

/** What each route's answer must show beyond its status, and that a refusal changed nothing. */
async function assess(
  route: RouteName,
  harness: Harness,
  response: Response,
  expectation: Expectation,
  target: Target | undefined,
  caller: Caller,
) {
  const body = (await response.json()) as Json;
  if (expectation.status >= 400) {
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(body).toMatchObject({ status: expectation.status });
  }
  const seededTarget = target === undefined || target === "missing" ? undefined : SEEDED[target];
  switch (route) {
    case "legacy-get": {
      if (expectation.status !== 200) return;
      // The old shape has no ids and the seeded messages are all sealed: what the caller may see
      // is counted (own: 1, with read-all 2, another tenant's never), and none of it in clear.
      const items = (body as { Items: { msg: string }[] }).Items;
      const visible = SEEDED_TARGETS.filter((t) => expected("list", caller, t).effect === "listed");
      expect(items).toHaveLength(visible.length);
      expect(items.every((i) => i.msg === "(encrypted)")).toBe(true);
      for (const t of SEEDED_TARGETS) expect(JSON.stringify(body)).not.toContain(SEEDED[t].text);
      return;
    }
    case "send":
    case "legacy-post":
    case "batch": {
      const created = [...harness.store.records.values()].filter((r) => !SEEDED_TARGETS.some((t) => SEEDED[t].id === r.id));
      if (expectation.status >= 400) {
        expect(created).toEqual([]);
        expect(harness.queue.sent).toEqual([]);
        return;
      }
      if (route === "batch") expect(body).toMatchObject({ results: [{ index: 0, status: 202 }] });
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ tenant: "acme", principal: "key:alice" });
      return;
    }
    case "get":
      if (expectation.status === 200) expect(body).toMatchObject({ id: seededTarget?.id, tenant: "acme" });
      return;
    case "decrypt":
      if (expectation.status === 200) expect(body).toMatchObject({ id: seededTarget?.id, text: seededTarget?.text });
      return;
    case "list": {
      if (expectation.status !== 200 || !seededTarget) return;
      const items = (body as { items: { id: string; tenant: string }[] }).items;
      expect(items.map((i) => i.id).includes(seededTarget.id)).toBe(expectation.effect === "listed");
      expect(items.every((i) => i.tenant === "acme")).toBe(true);
      return;
    }
    case "erase":
    case "erase-deprecated": {
      if (!seededTarget) return;
      if (expectation.status === 200) {
        const acmeMessages = SEEDED_TARGETS.filter((t) => SEEDED[t].tenant === "acme").length;
        expect(body).toEqual({ erased: acmeMessages, at: NOW.toISOString(), first_erased_at: NOW.toISOString() });
      } else {
        expect(harness.store.audit).toEqual([]);
      }
      const record = await harness.store.get(seededTarget.id);
      if (expectation.effect === "erased") {
        expect(record?.erased_at).toBe(NOW.toISOString());
        expect(record?.sealed).toBeUndefined();
        expect(record?.recipients).toEqual([]);
        return;
      }
      expect(record?.erased_at).toBeUndefined();
      expect(record?.sealed).toBeDefined();
      // ...and its own tenant's reader still gets the plaintext.
      const reader = await harness.keyFor(EVERY_ROLE, seededTarget.tenant, seededTarget.principal);
      const opened = await harness.app.request(`/v1/messages/${seededTarget.id}/decrypt`, { method: "POST", headers: { "x-api-key": reader } });
      expect(opened.status).toBe(200);
      expect(await opened.json()).toMatchObject({ text: seededTarget.text });
      return;
    }
  }
}

const label = ({ status, effect }: Expectation) => (effect ? `${status} (${effect})` : String(status));

describe("authorization matrix", () => {
  for (const route of ROUTES) {
    describe(route.title, () => {
      for (const caller of CALLERS) {
        for (const target of route.targets) {
          const expectation = expected(route.name, caller, target);
          const where = target === undefined ? "" : ` × ${TARGET_NAMES[target]}`;
          it(`${route.title} × ${caller.name}${where} → ${label(expectation)}`, async () => {
            // Prepare: fresh state per cell, so a send or an erase cannot change what another cell sees
            const harness = await anIngestApp();
            await seed(harness);
            const headers = await headersFor(harness, caller);

            // Act
            const response = await route.call(harness, headers, target);

            // Assess
            expect(response.status).toBe(expectation.status);
            await assess(route.name, harness, response, expectation, target, caller);
          });
        }
      }
    });
  }
});

describe("no existence oracle", () => {
  const byId = ROUTES.filter((r) => r.name === "get" || r.name === "decrypt");
  for (const route of byId) {
    for (const caller of CALLERS) {
      it(`${route.title} × ${caller.name} × other tenant ≡ does not exist`, async () => {
        // Prepare
        const harness = await anIngestApp();
        await seed(harness);
        const headers = await headersFor(harness, caller);

        // Act
        const foreign = await route.call(harness, headers, "foreign");
        const missing = await route.call(harness, headers, "missing");

        // Assess: the same answer, so a caller cannot learn that another tenant's id exists
        const shape = async (response: Response) => {
          const { type, title, status, code, detail } = (await response.json()) as Json;
          return { httpStatus: response.status, contentType: response.headers.get("content-type"), type, title, status, code, detail };
        };
        const [fromForeign, fromMissing] = [await shape(foreign), await shape(missing)];
        expect(fromForeign.httpStatus).toBeGreaterThanOrEqual(400);
        expect(fromForeign).toEqual(fromMissing);
      });
    }
  }
});
