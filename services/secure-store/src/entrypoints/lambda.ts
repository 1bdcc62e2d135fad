import { createConsumerLambda } from "@herald/delivery/runtime";
import { secureStoreConsumer } from "../deps";

export const handler = createConsumerLambda(secureStoreConsumer);
