import { createConsumerLambda } from "@herald/delivery/runtime";
import { webhooksConsumer } from "../deps";

export const handler = createConsumerLambda(webhooksConsumer);
