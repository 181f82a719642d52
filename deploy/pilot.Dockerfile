# syntax=docker/dockerfile:1
# weft-pilot, the Weft control plane's config distributor (xDS). Build from the repository root
# (deploy/compose.yaml does this):
#   docker build -f deploy/pilot.Dockerfile -t weft-pilot .
# The context is filtered by deploy/pilot.Dockerfile.dockerignore (BuildKit).
# deploy/test/dockerfiles.spec.ts checks every COPY source, the ENTRYPOINT, USER and HEALTHCHECK.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY libs/ ./libs/
COPY apps/pilot/ ./apps/pilot/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npx nx run-many -t build -p pilot api shared data-access xds x509

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies only. One COPY per workspace: a glob such as libs/*/package.json would
# flatten every match into one file. Workspaces absent here (libs/testing, other apps) are skipped.
COPY package.json package-lock.json ./
COPY libs/api/package.json ./libs/api/
COPY libs/shared/package.json ./libs/shared/
COPY libs/data-access/package.json ./libs/data-access/
COPY libs/xds/package.json ./libs/xds/
COPY libs/x509/package.json ./libs/x509/
COPY apps/pilot/package.json ./apps/pilot/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/libs/api/dist ./libs/api/dist
COPY --from=build /app/libs/shared/dist ./libs/shared/dist
COPY --from=build /app/libs/data-access/dist ./libs/data-access/dist
COPY --from=build /app/libs/xds/dist ./libs/xds/dist
COPY --from=build /app/libs/x509/dist ./libs/x509/dist
COPY --from=build /app/apps/pilot/dist ./apps/pilot/dist
COPY --from=build /app/apps/pilot/bin ./apps/pilot/bin
USER node
ENV WEFT_PILOT_HOST=0.0.0.0
# xDS gRPC (plaintext), xDS over mutual TLS (with WEFT_PILOT_CA), HTTP (rules API, /metrics)
EXPOSE 15010 15012 15014
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WEFT_PILOT_HTTP_PORT || 15014) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "apps/pilot/bin/weft-pilot.js"]
