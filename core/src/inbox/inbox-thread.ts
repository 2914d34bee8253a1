import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { Database } from "../db/client.ts";
import { openRuntimeDatabase } from "../db/open-database.ts";
import type { InboxWorker } from "./inbox.ts";

// The inbox worker on a thread of its own. Ingesting a batch of orders keeps an event loop busy for tens to
// hundreds of milliseconds (on SQLite every statement runs synchronously), and the webhook receipt must keep
// answering in milliseconds meanwhile; on its own thread the worker has its own event loop and database
// client, and the receipt only tells it when new deliveries are stored.

export interface InboxThread {
  /** New deliveries are stored: drain soon. */
  nudge(): void;
  /** Finishes the batch in progress and ends the thread. */
  stop(): Promise<void>;
}

interface ThreadData {
  databaseUrl: string;
  entry: string;
}

/** Starts `entry` (a module that calls runInboxThread) on a worker thread. */
export function startInboxThread(entry: URL, databaseUrl: string): InboxThread {
  const thread = new Worker(new URL("./inbox-thread-entry.mjs", import.meta.url), {
    workerData: { databaseUrl, entry: entry.href } satisfies ThreadData,
  });
  thread.on("error", (error) => console.error("inbox worker thread failed", error));
  let pending = false;
  return {
    nudge() {
      // One message per event-loop turn at most, however many groups were stored in it.
      if (pending) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        thread.postMessage("nudge");
      });
    },
    stop() {
      return new Promise((resolve) => {
        thread.once("exit", () => resolve());
        thread.postMessage("stop");
      });
    },
  };
}

/** The thread side: opens the database, starts the worker and follows the main thread's messages. */
export async function runInboxThread(createWorker: (database: Database) => InboxWorker): Promise<void> {
  if (isMainThread || !parentPort) throw new Error("runInboxThread runs on a worker thread");
  const port = parentPort;
  // The main thread has migrated already.
  const database = await openRuntimeDatabase((workerData as ThreadData).databaseUrl, { migrate: false });
  const worker = createWorker(database);
  worker.start();
  worker.nudge();
  port.on("message", async (message: unknown) => {
    if (message === "nudge") worker.nudge();
    else if (message === "stop") {
      await worker.stop();
      await database.close();
      port.close();
      process.exit(0);
    }
  });
}
