// A worker thread does not inherit the TypeScript loader the main thread runs under (tsx): this plain module
// registers it and then loads the TypeScript entry startInboxThread was given.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
