#!/usr/bin/env bash
# Until the first release, the schema has a single `init` migration that is regenerated from the schema.
# flock keeps two engineers' regenerations from interleaving.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/trailmark-schema.lock
flock 9
mkdir -p data
rm -rf prisma/migrations
node scripts/new-migration.mjs init
node scripts/prisma-generate.mjs
