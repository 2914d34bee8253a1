#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so the command works from a plain `npm install`.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
