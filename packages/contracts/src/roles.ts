import * as z from "zod";

export const Roles = {
  send: "messages:send",
  read: "messages:read",
  readAll: "messages:read-all",
  decrypt: "messages:decrypt",
  erase: "messages:erase",
  suppressions: "messages:suppressions",
  webhooks: "webhooks:manage",
} as const;

export const Role = z.enum([Roles.send, Roles.read, Roles.readAll, Roles.decrypt, Roles.erase, Roles.suppressions, Roles.webhooks]);
export type Role = z.infer<typeof Role>;

export const ALL_ROLES: readonly Role[] = Role.options;

/** Who is calling: carried from the edge (API key, token, authorizer) to every record. */
export const Identity = z.strictObject({
  principal: z.string().min(1).max(200),
  tenant: z.string().min(1).max(100),
  roles: z.array(Role),
});
export type Identity = z.infer<typeof Identity>;
