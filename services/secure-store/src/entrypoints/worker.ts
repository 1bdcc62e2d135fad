import { runConsumerWorker } from "@herald/delivery/runtime";
import { secureStoreConsumer } from "../deps";

runConsumerWorker(secureStoreConsumer);
