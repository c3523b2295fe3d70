# syntax=docker/dockerfile:1
# netguard admission webhook image.
#   docker build -t netguard:dev .
# Build stage compiles TypeScript with the full dependency tree; the runtime stage gets only the
# compiled output and production dependencies, and runs as an unprivileged numeric user.

# Node 24: Active LTS, supported until April 2028 (the code also runs, and is tested, on Node 20 and 22)
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, and the sources are not copied yet
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:${NODE_VERSION}-bookworm AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY package.json LICENSE ./
# 65532: a numeric user that exists in no image's /etc/passwd, so Kubernetes' runAsNonRoot can
# check it; the chart runs the same uid with a read-only root filesystem.
USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["node", "/app/dist/src/cli/main.js", "serve"]
