export { KeyService, type KeyServiceHealth, type KeyServiceOptions } from "./service";
export { KEY_SERVICE_ENV, KeyServiceConfigError, keyServiceLogger, keyServiceOptionsFromEnv } from "./config";
export { parseEncryptionKey, sealKey, openKey, KeyCustodyError, type SealedKey } from "./crypto";
export type { FaultPoint } from "./reconcile";
export { ACTIONS as PROOF_ACTIONS, type ProofAction } from "./http/wire";
export type { DeliveredKey } from "./http/routes";
export type { CompositeSignature } from "./http/wire";
export type { Cursor, KeyGeneration, Lifecycle, SubscriptionRecord } from "./state";
export { litellmKeyService } from "./usage";
