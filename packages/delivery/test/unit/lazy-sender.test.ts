import { describe, expect, it } from "vitest";
import { lazySender, type Sender } from "../../src";

const fakeSender = (closed: string[]): Sender<string, "smtp"> => ({
  name: "smtp",
  send: async (content) => ({ providerMessageId: `id-${content}` }),
  close: async () => {
    closed.push("smtp");
  },
});

describe("lazySender", () => {
  it("loads the adapter on the first send only, and once for every send after it", async () => {
    // Prepare
    let loads = 0;
    const sender = lazySender("smtp", async () => {
      loads++;
      return fakeSender([]);
    });
    const before = loads;

    // Act
    const results = await Promise.all([sender.send("a", { messageId: "m1" }), sender.send("b", { messageId: "m2" })]);

    // Assess
    expect(before).toBe(0);
    expect(loads).toBe(1);
    expect(sender.name).toBe("smtp");
    expect(results.map((r) => r.providerMessageId)).toEqual(["id-a", "id-b"]);
  });

  it("tries the load again on the next send when it failed", async () => {
    // Prepare
    let loads = 0;
    const sender = lazySender("smtp", async () => {
      loads++;
      if (loads === 1) throw new Error("chunk not found");
      return fakeSender([]);
    });

    // Act
    const first = await sender.send("a", { messageId: "m1" }).catch((error: unknown) => error);
    const second = await sender.send("b", { messageId: "m2" });

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(second.providerMessageId).toBe("id-b");
    expect(loads).toBe(2);
  });

  it("closes the loaded adapter, and loads nothing to close when it never sent", async () => {
    // Prepare
    const closed: string[] = [];
    let loads = 0;
    const load = async () => {
      loads++;
      return fakeSender(closed);
    };
    const idle = lazySender("smtp", load);
    const used = lazySender("smtp", load);
    await used.send("a", { messageId: "m1" });

    // Act
    await idle.close?.();
    await used.close?.();

    // Assess
    expect(loads).toBe(1);
    expect(closed).toEqual(["smtp"]);
  });
});
