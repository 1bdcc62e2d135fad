import { runConsumerWorker } from "@herald/delivery/runtime";
import { smsConsumer } from "../deps";

runConsumerWorker(smsConsumer);
