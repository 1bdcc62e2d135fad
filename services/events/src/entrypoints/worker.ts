import { runConsumerWorker } from "@herald/delivery/runtime";
import { eventsConsumer } from "../deps";

runConsumerWorker(eventsConsumer);
