# Cartograph: one image for the embedded default and for the scale-out cluster
# (docker-compose.yml, deploy/k8s/). Multi-stage: the build stage has the toolchain for the
# native modules and the dev dependencies; the runtime stage runs as the unprivileged `node` user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
# postinstall generates both Prisma clients (SQLite and PostgreSQL) offline.
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    CARTOGRAPH_DATA_DIR=/var/lib/cartograph \
    CARTOGRAPH_HOST=0.0.0.0 \
    CARTOGRAPH_HTTP_PORT=3000 \
    CARTOGRAPH_OTLP_HTTP_PORT=4318 \
    CARTOGRAPH_OTLP_GRPC_PORT=4317
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /var/lib/cartograph && chown node:node /var/lib/cartograph
USER node
VOLUME ["/var/lib/cartograph"]
EXPOSE 3000 4318 4317
# Ready = writer, store and a query thread up, not draining (GET /readyz answers 200).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CARTOGRAPH_HTTP_PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# npm forwards SIGTERM to the server, which drains in-flight requests and hands the leader lease back.
CMD ["npm", "start"]
