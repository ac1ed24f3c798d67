# syntax=docker/dockerfile:1
# One image, two processes: the API (default command) and the worker (`node apps/worker/dist/main.js`).
# Debian-based, not Alpine: Temporal's native core bridge ships glibc builds only.
# The current Node.js LTS line (24), pinned to a release; bump it with each Node security release.
ARG NODE_VERSION=24.20.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused until a package.json or the lockfile changes.
COPY package.json package-lock.json ./
COPY packages/testkit/package.json packages/testkit/
COPY packages/config/package.json packages/config/
COPY packages/tracing/package.json packages/tracing/
COPY packages/contracts/package.json packages/contracts/
COPY packages/embedded-temporal/package.json packages/embedded-temporal/
COPY packages/activities/package.json packages/activities/
COPY packages/workflows/package.json packages/workflows/
COPY apps/worker/package.json apps/worker/
COPY apps/api/package.json apps/api/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json tsconfig.json ./
COPY packages packages
COPY apps apps
# Compile every package to dist/, then prebuild the workflow bundle so the worker starts without webpack.
RUN npm run build \
 && npm run build:bundle --workspace @research/worker \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf packages/*/test apps/*/test

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# Root-owned and read-only for the app user; only DATA_DIR (embedded database, when DATABASE_URL is unset) is writable.
# docker-compose.yml also runs the containers with a read-only root filesystem, no capabilities and no-new-privileges.
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["node", "apps/api/dist/server.js"]
