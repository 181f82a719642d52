# syntax=docker/dockerfile:1
# weft-telemetry, the Weft observability service (golden signals, Istio metrics, traces, access
# logs, live tap, the operator dashboard). Build from the repository root (deploy/compose.yaml does this):
#   docker build -f deploy/telemetry.Dockerfile -t weft-telemetry .
# The context is filtered by deploy/telemetry.Dockerfile.dockerignore (BuildKit).
# deploy/test/dockerfiles.spec.ts checks every COPY source, the ENTRYPOINT, USER and HEALTHCHECK.
# Run as many replicas as you like: they consume in one NATS queue group and serve from Redis.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY libs/ ./libs/
COPY apps/telemetry/ ./apps/telemetry/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npx nx run-many -t build -p telemetry api shared data-access

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies only. One COPY per workspace: a glob such as libs/*/package.json would
# flatten every match into one file. Workspaces absent here (libs/testing, other apps) are skipped.
COPY package.json package-lock.json ./
COPY libs/api/package.json ./libs/api/
COPY libs/shared/package.json ./libs/shared/
COPY libs/data-access/package.json ./libs/data-access/
COPY apps/telemetry/package.json ./apps/telemetry/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/libs/api/dist ./libs/api/dist
COPY --from=build /app/libs/shared/dist ./libs/shared/dist
COPY --from=build /app/libs/data-access/dist ./libs/data-access/dist
COPY --from=build /app/apps/telemetry/dist ./apps/telemetry/dist
COPY --from=build /app/apps/telemetry/bin ./apps/telemetry/bin
# The operator dashboard's static files (served at /, read from apps/telemetry/dashboard).
COPY --from=build /app/apps/telemetry/dashboard ./apps/telemetry/dashboard
USER node
ENV WEFT_TELEMETRY_HOST=0.0.0.0
# HTTP: API, live tap, Zipkin v2 endpoints, dashboard, /metrics
EXPOSE 9411
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WEFT_TELEMETRY_HTTP_PORT || 9411) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "apps/telemetry/bin/weft-telemetry.js"]
