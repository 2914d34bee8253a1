// Prisma's better-sqlite3 adapter shares one connection between interactive transactions and ordinary
// queries, and only transactions take its lock: a query issued while another request's transaction is open
// runs inside that transaction, sees its uncommitted rows and is undone if it rolls back. That would lose
// acknowledged writes, so this wrapper makes every statement and every transaction take one lock in turn.
import type { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

type Factory = PrismaBetterSQLite3;
type Adapter = Awaited<ReturnType<Factory["connect"]>>;
type Transaction = Awaited<ReturnType<Adapter["startTransaction"]>>;

class Lock {
  #tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

function serialize(adapter: Adapter): Adapter {
  const lock = new Lock();
  const wrapped: Adapter = Object.create(adapter);
  wrapped.queryRaw = (q) => lock.run(() => adapter.queryRaw(q));
  wrapped.executeRaw = (q) => lock.run(() => adapter.executeRaw(q));
  wrapped.executeScript = (s) => lock.run(() => adapter.executeScript(s));
  wrapped.startTransaction = async (level) => {
    const release = await lock.acquire();
    let tx: Transaction;
    try {
      tx = await adapter.startTransaction(level);
    } catch (error) {
      release();
      throw error;
    }
    let released = false;
    const finish = () => {
      if (!released) {
        released = true;
        release();
      }
    };
    const wrappedTx: Transaction = Object.create(tx);
    wrappedTx.commit = async () => {
      try {
        await tx.commit();
      } finally {
        finish();
      }
    };
    wrappedTx.rollback = async () => {
      try {
        await tx.rollback();
      } finally {
        finish();
      }
    };
    return wrappedTx;
  };
  return wrapped;
}

export function serializedSqlite(factory: Factory): Factory {
  const wrapped: Factory = Object.create(factory);
  wrapped.connect = async () => serialize(await factory.connect());
  wrapped.connectToShadowDb = async () => serialize(await factory.connectToShadowDb());
  return wrapped;
}
