# Trailmark: the whole product (`npm start`) in one image. Build: `docker build -t trailmark .`
# Run with compose.yaml (app + PostgreSQL + Redis), or alone on SQLite: `docker run -p 3000:3000 -v tm:/app/data trailmark`.
# Not built or run on the development machine (Docker is not available there); see docs/deploy.md.
FROM node:20-bookworm-slim

# better-sqlite3 ships prebuilt binaries; the toolchain is the fallback when none fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first, so a source change does not reinstall them. postinstall generates the Prisma clients
# from prisma/schema.prisma with scripts/prisma-generate.mjs, so both are copied before npm ci.
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY woocommerce-bridge/package.json woocommerce-bridge/
COPY shopify-app/package.json shopify-app/
COPY extensions/trailmark-pixel/package.json extensions/trailmark-pixel/
COPY prisma prisma
COPY prisma.config.ts ./
COPY scripts scripts
RUN npm ci --no-audit --no-fund

COPY . .
# Regenerate after the full copy (the schema is the same; this keeps the clients in step if it is not), then
# build the Shopify app once here, so that no container builds it at start.
RUN node scripts/prisma-generate.mjs \
  && cd shopify-app && node ../node_modules/@remix-run/dev/dist/cli.js vite:build

RUN mkdir -p /app/data /app/shopify-app/.cache && chown -R node:node /app/data /app/shopify-app/.cache
USER node

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

# node itself rather than npm as the process, so SIGTERM reaches the primary (use `docker run --init` or
# compose's `init: true` to reap zombies). The primary forks WEB_CONCURRENCY workers.
CMD ["node", "--import", "tsx", "scripts/start.ts"]
