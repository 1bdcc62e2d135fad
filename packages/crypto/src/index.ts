// The root entry loads no AWS SDK: KMS is @herald/crypto/kms, the in-memory keys @herald/crypto/memory.
export { STORE_SECURE_PURPOSE, storeSecureKmsContext, WEBHOOK_SECRET_PURPOSE, webhookSecretKmsContext } from "./context";
export { lazyDataKeyProvider, type DataKey, type DataKeyProvider } from "./data-keys";
export { DecryptionError, DEFAULT_BOUNDS, EnvelopeCipher, type CacheBounds } from "./envelope-cipher";
export { openContent, sealContent, type SecureRef } from "./secure-content";
