# syntax=docker/dockerfile:1
# weftctl, the Weft operator CLI, as an image (for CI jobs and GitOps pipelines):
#   docker build -f deploy/weftctl.Dockerfile -t weftctl .
#   docker run --rm -e WEFT_PILOT_URL=http://pilot:15014 -v "$PWD/rules:/rules:ro" weftctl apply -f /rules
# The context is filtered by deploy/weftctl.Dockerfile.dockerignore (BuildKit).
# deploy/test/dockerfiles.spec.ts checks every COPY source, the ENTRYPOINT, USER and HEALTHCHECK.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY libs/ ./libs/
COPY apps/weftctl/ ./apps/weftctl/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npx nx run-many -t build -p weftctl api shared

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/api/package.json ./libs/api/
COPY libs/shared/package.json ./libs/shared/
COPY apps/weftctl/package.json ./apps/weftctl/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/libs/api/dist ./libs/api/dist
COPY --from=build /app/libs/shared/dist ./libs/shared/dist
COPY --from=build /app/apps/weftctl/dist ./apps/weftctl/dist
COPY --from=build /app/apps/weftctl/bin ./apps/weftctl/bin
USER node
ENV WEFT_PILOT_URL=http://pilot:15014
# A one-shot CLI: nothing to probe (deploy/test accepts HEALTHCHECK NONE only with this label).
LABEL org.weft.role=cli
HEALTHCHECK NONE
ENTRYPOINT ["node", "apps/weftctl/bin/weftctl.js"]
