// Crash tests run the code under test in a child process they can SIGKILL at any moment, as an operator's
// kill -9 or an out-of-memory killer would.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const TSX = join(fileURLToPath(new URL("../../../", import.meta.url)), "node_modules/.bin/tsx");

export interface TsxChild {
  readonly process: ChildProcess;
  /** The child's stdout, line by line. */
  readonly lines: AsyncIterable<string>;
  /** SIGKILLs the child; tsx runs the script in a second node process, so the kill goes to the process group. */
  kill(): void;
  /** Resolves once every process of the child's group has gone. */
  gone(): Promise<void>;
}

const running = new Set<TsxChild>();

/** Runs a TypeScript file in a child process (its own process group), its stderr shown with the test's. */
export function startTsxChild(script: string, env: Record<string, string>): TsxChild {
  const proc = spawn(TSX, [script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  proc.stderr!.on("data", (d: Buffer) => process.stderr.write(d));
  const child: TsxChild = {
    process: proc,
    lines: createInterface({ input: proc.stdout! }),
    kill() {
      try {
        process.kill(-proc.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    },
    async gone() {
      for (;;) {
        try {
          process.kill(-proc.pid!, 0);
        } catch {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
  running.add(child);
  proc.once("exit", () => running.delete(child));
  return child;
}

/** The child's first line of output, as JSON (the crash children announce themselves with one). */
export async function firstLine<T>(child: TsxChild): Promise<T> {
  for await (const line of child.lines) return JSON.parse(line) as T;
  throw new Error(`the child exited (${child.process.exitCode ?? child.process.signalCode}) without a word`);
}

/** SIGKILLs every child still running, for afterAll: a failed test must not leave its children behind. */
export function killTsxChildren(): void {
  for (const child of running) child.kill();
}
