/** A fresh data key: the plaintext to encrypt with, and the same key wrapped by the master key. */
export type DataKey = { plaintext: Buffer; wrapped: Buffer; keyId: string };

/**
 * Where data keys come from and are unwrapped: KMS in production. `context` is KMS's encryption
 * context, bound to the wrapped key (a wrong context fails to unwrap).
 */
export interface DataKeyProvider {
  generate(context: Record<string, string>): Promise<DataKey>;
  unwrap(wrapped: Buffer, context: Record<string, string>): Promise<Buffer>;
}

/**
 * A provider built on its first use: the KMS client (and the SDK code under it) is loaded only by
 * a process that seals or opens something, not by every cold start of a function that rarely or
 * never does (the ingest API, whose decrypt route alone opens).
 */
export function lazyDataKeyProvider(load: () => Promise<DataKeyProvider>): DataKeyProvider {
  let loading: Promise<DataKeyProvider> | undefined;
  const provider = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined; // a failed load is tried again by the next call
      throw error;
    }));
  return {
    generate: async (context) => (await provider()).generate(context),
    unwrap: async (wrapped, context) => (await provider()).unwrap(wrapped, context),
  };
}
