# syntax=docker/dockerfile:1
# weft-ca, the Weft certificate authority (SPIFFE X.509 workload certificates). Build from the
# repository root (deploy/compose.yaml does this):
#   docker build -f deploy/ca.Dockerfile -t weft-ca .
# The context is filtered by deploy/ca.Dockerfile.dockerignore (BuildKit).
# deploy/test/dockerfiles.spec.ts checks every COPY source, the ENTRYPOINT, USER and HEALTHCHECK.
# Key material lives in WEFT_CA_DIR (/var/lib/weft/ca), mounted from outside: `weft-ca --init`
# creates it once on an empty volume; the serving replicas mount it read-only (docs/security.md).

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY libs/ ./libs/
COPY apps/ca/ ./apps/ca/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npx nx run-many -t build -p ca api shared data-access x509

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies only. One COPY per workspace: a glob such as libs/*/package.json would
# flatten every match into one file. Workspaces absent here (libs/testing, other apps) are skipped.
COPY package.json package-lock.json ./
COPY libs/api/package.json ./libs/api/
COPY libs/shared/package.json ./libs/shared/
COPY libs/data-access/package.json ./libs/data-access/
COPY libs/x509/package.json ./libs/x509/
COPY apps/ca/package.json ./apps/ca/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/libs/api/dist ./libs/api/dist
COPY --from=build /app/libs/api/proto ./libs/api/proto
COPY --from=build /app/libs/shared/dist ./libs/shared/dist
COPY --from=build /app/libs/data-access/dist ./libs/data-access/dist
COPY --from=build /app/libs/x509/dist ./libs/x509/dist
COPY --from=build /app/apps/ca/dist ./apps/ca/dist
COPY --from=build /app/apps/ca/bin ./apps/ca/bin
# The mount point, owned by the runtime user so a fresh named volume inherits it (0700: keys inside).
RUN mkdir -p /var/lib/weft/ca && chown node:node /var/lib/weft/ca && chmod 0700 /var/lib/weft/ca
USER node
ENV WEFT_CA_HOST=0.0.0.0 WEFT_CA_DIR=/var/lib/weft/ca
# gRPC CertificateService (plaintext), HTTP (health, metrics, trust bundle, tokens, audit)
EXPOSE 8060 8061
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WEFT_CA_HTTP_PORT || 8061) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "apps/ca/bin/weft-ca.js"]
