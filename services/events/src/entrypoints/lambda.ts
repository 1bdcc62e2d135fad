import { createConsumerLambda } from "@herald/delivery/runtime";
import { eventsConsumer } from "../deps";

export const handler = createConsumerLambda(eventsConsumer);
