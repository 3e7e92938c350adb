// Worker threads start without the parent's module hooks: register tsx, then load the real module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__moduleUrl);
