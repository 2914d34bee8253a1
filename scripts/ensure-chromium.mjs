// Runs before `npm test`: the browser tests drive Debian's Chromium through playwright-core, and npm cannot
// download a browser on these machines, so install the distribution's package when it is missing.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";

function apt(...args) {
  execFileSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}

if (existsSync(CHROMIUM)) process.exit(0);

const root = typeof process.getuid === "function" && process.getuid() === 0;
const hasApt = existsSync("/usr/bin/apt-get");
if (!root || !hasApt) {
  console.error(
    `The browser tests need Chromium at ${CHROMIUM}. Install it (Debian: \`sudo apt-get install chromium\`) and run \`npm test\` again.`,
  );
  process.exit(1);
}
console.log(`Chromium is missing: installing Debian's chromium package (once per machine)…`);
apt("update", "-qq");
// --reinstall also repairs a package whose files were removed.
apt("install", "-y", "-qq", "--reinstall", "chromium");
if (!existsSync(CHROMIUM)) {
  console.error(`apt-get finished but ${CHROMIUM} is still missing.`);
  process.exit(1);
}
