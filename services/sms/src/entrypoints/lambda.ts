import { createConsumerLambda } from "@herald/delivery/runtime";
import { smsConsumer } from "../deps";

export const handler = createConsumerLambda(smsConsumer);
