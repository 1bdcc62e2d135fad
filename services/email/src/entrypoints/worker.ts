import { runConsumerWorker } from "@herald/delivery/runtime";
import { emailConsumer } from "../deps";

runConsumerWorker(emailConsumer);
