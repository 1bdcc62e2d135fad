// Apart from ./secrets (createSecrets), so an adapter that is only handed a Secret (SMTP, Twilio,
// OAuth introspection) does not load the Secrets Manager client.

/**
 * A credential read when it is needed. `value()` is cheap (cached); `refresh()` fetches it again
 * now, for when the provider has just refused it (it may have been rotated).
 */
export interface Secret {
  /** Where the secret is, for logs: "secretsmanager:<id>" or "environment"; never the value. */
  readonly source: string;
  value(): Promise<string>;
  refresh(): Promise<string>;
}

/**
 * The value to retry with after a provider refused `refused`, or undefined when the secret still
 * holds that one (a retry would only be refused again). A value read since, by another caller, is
 * taken as it is; otherwise the secret is read again now, once for all the callers refused at the
 * same time (a batch right after a rotation).
 */
export function valueAfterRefusal(secret: Secret, refused: string): Promise<string | undefined> {
  let shared = refusals.get(secret);
  if (!shared) {
    shared = (async () => {
      const current = await secret.value();
      if (current !== refused) return current;
      const fresh = await secret.refresh();
      return fresh === refused ? undefined : fresh;
    })().finally(() => refusals.delete(secret));
    refusals.set(secret, shared);
  }
  return shared;
}
const refusals = new WeakMap<Secret, Promise<string | undefined>>();
