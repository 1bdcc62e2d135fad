import { runConsumerWorker } from "@herald/delivery/runtime";
import { webhooksConsumer } from "../deps";

runConsumerWorker(webhooksConsumer);
