// The root entry is the use case and its port (deliver, Sender, provider error mapping): no AWS
// SDK. The entry points' runtime is @herald/delivery/runtime; test helpers @herald/delivery/testing.
export {
  ConsumerEnv,
  consumerSettings,
  DeliveryEnv,
  deliverySettings,
  RECORD_MARGIN_MS,
  recordBudgetMs,
  sendingClientConfig,
  type ConsumerSettings,
  type DeliverySettings,
} from "./config";
export { deliver, type DeliverDeps, type Delivery, type Send, type SendContext, type SendResult } from "./deliver";
export { classifyProviderFailure, sdkErrorClassifier, type ProviderErrors, type ProviderFailure, type SdkFailure } from "./provider-errors";
export { lazySender, type Sender, type SenderContext } from "./sender";
