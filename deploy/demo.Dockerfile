# syntax=docker/dockerfile:1
# The demo's services and traffic generator (demo/, docs/demo.md), one image for all: the first
# argument picks what runs (`productpage`, `details`, `reviews`, `ratings`, `traffic`; `--help`).
# Build from the repository root (deploy/compose.yaml does this):
#   docker build -f deploy/demo.Dockerfile -t weft-demo .
# The context is filtered by deploy/demo.Dockerfile.dockerignore (BuildKit).
# deploy/test/dockerfiles.spec.ts checks every COPY source, the ENTRYPOINT, USER and HEALTHCHECK.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY libs/ ./libs/
COPY demo/ ./demo/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npx nx run-many -t build -p demo shared

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies only (the demo is no workspace: it uses the root's). One COPY per workspace.
COPY package.json package-lock.json ./
COPY libs/shared/package.json ./libs/shared/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/libs/shared/dist ./libs/shared/dist
COPY --from=build /app/demo/dist ./demo/dist
COPY --from=build /app/demo/bin ./demo/bin
USER node
# The services listen on WEFT_DEMO_PORT (their sidecar reaches them over loopback); the traffic
# generator listens on nothing, so compose turns this healthcheck off for it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WEFT_DEMO_PORT || 9080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "demo/bin/weft-demo.js"]
