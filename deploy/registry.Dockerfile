# syntax=docker/dockerfile:1
# The Weft registry. Build from the repository root (deploy/compose.yaml does this):
#   docker build -f deploy/registry.Dockerfile -t weft-registry .
# The context is filtered by deploy/registry.Dockerfile.dockerignore (BuildKit).
# deploy/test/dockerfiles.spec.ts checks every COPY source, the ENTRYPOINT, USER and HEALTHCHECK.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY libs/ ./libs/
COPY apps/registry/ ./apps/registry/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npx nx run-many -t build -p registry api shared data-access

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies only. One COPY per workspace: a glob such as libs/*/package.json would
# flatten every match into one file. Workspaces absent here (libs/testing, other apps) are skipped.
COPY package.json package-lock.json ./
COPY libs/api/package.json ./libs/api/
COPY libs/shared/package.json ./libs/shared/
COPY libs/data-access/package.json ./libs/data-access/
COPY apps/registry/package.json ./apps/registry/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/libs/api/dist ./libs/api/dist
COPY --from=build /app/libs/api/proto ./libs/api/proto
COPY --from=build /app/libs/shared/dist ./libs/shared/dist
COPY --from=build /app/libs/data-access/dist ./libs/data-access/dist
COPY --from=build /app/apps/registry/dist ./apps/registry/dist
COPY --from=build /app/apps/registry/bin ./apps/registry/bin
USER node
ENV WEFT_REGISTRY_HOST=0.0.0.0
EXPOSE 8700 8701
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WEFT_REGISTRY_HTTP_PORT || 8700) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "apps/registry/bin/weft-registry.js"]
