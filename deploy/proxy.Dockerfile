# syntax=docker/dockerfile:1
# weft-proxy, the Weft sidecar. Build from the repository root (deploy/compose.yaml does this):
#   docker build -f deploy/proxy.Dockerfile -t weft-proxy .
#   docker run --rm -v "$PWD/demo/bootstrap:/etc/weft:ro" weft-proxy --config /etc/weft/details.yaml
# Arguments are weft-proxy's flags (`--help`); the bootstrap comes in as a file (mount or bake it).
# The context is filtered by deploy/proxy.Dockerfile.dockerignore (BuildKit).
# deploy/test/dockerfiles.spec.ts checks every COPY source, the ENTRYPOINT, USER and HEALTHCHECK.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY libs/ ./libs/
COPY apps/proxy/ ./apps/proxy/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npx nx run-many -t build -p proxy proxy-core shared xds x509 api

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies only. One COPY per workspace: a glob such as libs/*/package.json would
# flatten every match into one file. Workspaces absent here (the control-plane libs, other apps) are skipped.
COPY package.json package-lock.json ./
COPY libs/proxy-core/package.json ./libs/proxy-core/
COPY libs/shared/package.json ./libs/shared/
COPY libs/xds/package.json ./libs/xds/
COPY libs/x509/package.json ./libs/x509/
COPY libs/api/package.json ./libs/api/
COPY apps/proxy/package.json ./apps/proxy/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/libs/proxy-core/dist ./libs/proxy-core/dist
COPY --from=build /app/libs/shared/dist ./libs/shared/dist
COPY --from=build /app/libs/xds/dist ./libs/xds/dist
COPY --from=build /app/libs/x509/dist ./libs/x509/dist
# @weft/api: the CA's CertificateService proto and the telemetry report contract.
COPY --from=build /app/libs/api/dist ./libs/api/dist
COPY --from=build /app/libs/api/proto ./libs/api/proto
COPY --from=build /app/apps/proxy/dist ./apps/proxy/dist
COPY --from=build /app/apps/proxy/bin ./apps/proxy/bin
USER node
# admin (loopback only: /ready, /stats/prometheus, /config_dump, …), outbound, inbound; a bootstrap
# may choose others: set WEFT_PROXY_ADMIN_PORT (the --admin-port equivalent) for the healthcheck.
EXPOSE 15000 15001 15006
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WEFT_PROXY_ADMIN_PORT || 15000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "apps/proxy/bin/weft-proxy.js"]
