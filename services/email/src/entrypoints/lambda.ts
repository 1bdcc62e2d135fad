import { createConsumerLambda } from "@herald/delivery/runtime";
import { emailConsumer } from "../deps";

export const handler = createConsumerLambda(emailConsumer);
