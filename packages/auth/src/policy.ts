import { Roles, type Identity, type MessageRecord, type Role } from "@herald/contracts";
import { ForbiddenError } from "@herald/platform";

export function hasRole(identity: Identity, role: Role): boolean {
  return identity.roles.includes(role);
}

export function requireRole(identity: Identity, role: Role): void {
  if (!hasRole(identity, role)) throw new ForbiddenError(role);
}

/** Whether the caller may read this record: never across tenants; own unless read-all. */
export function canRead(identity: Identity, record: Pick<MessageRecord, "tenant" | "principal">): boolean {
  if (record.tenant !== identity.tenant) return false;
  return hasRole(identity, Roles.readAll) || (hasRole(identity, Roles.read) && record.principal === identity.principal);
}

/**
 * Whether the caller may open this record's sealed content (it also needs messages:decrypt):
 * never across tenants; its own, or the tenant's with read-all. Unlike reading, no read role is
 * needed for its own: decrypt is its own grant.
 */
export function canDecrypt(identity: Identity, record: Pick<MessageRecord, "tenant" | "principal">): boolean {
  if (record.tenant !== identity.tenant) return false;
  return record.principal === identity.principal || hasRole(identity, Roles.readAll);
}

/** Requires some read role; returns the principal to filter by, or undefined for the whole tenant. */
export function readScope(identity: Identity): { principal?: string } {
  if (hasRole(identity, Roles.readAll)) return {};
  requireRole(identity, Roles.read);
  return { principal: identity.principal };
}
