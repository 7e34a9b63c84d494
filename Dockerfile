# syntax=docker/dockerfile:1
#
# The certrot image: one image, two roles (`worker`, `codec-server`; any other `certrot`
# subcommand works too, e.g. `docker compose run --rm worker status ...`).
#
# Built in two stages so the image runs compiled JavaScript with production dependencies
# only: bin/certrot runs the CLI from source through tsx, a devDependency, which a
# production image should not carry (nor typescript, eslint, or a transpile at every start).
# The workflow code is bundled once here (`npm run build:workflows`), so workers start fast
# and run exactly the code that was built and reviewed.
#
# Debian (glibc), not Alpine: the Temporal SDK's native core-bridge ships glibc builds.
# The tag is pinned deliberately; bump it in a reviewed change.
# No secret is baked in: configuration, keys and tokens arrive at run time (env_file,
# Docker secrets, a mounted worker configuration).

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
# dist/ (compiled src/) and dist/workflow-bundle.js (the prebuilt workflow bundle)
RUN npm run build && npm run build:workflows

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Where src/workers/workflow-bundle.ts finds the bundle anyway; said once more so a layout
# change cannot silently fall back to bundling at every worker start.
ENV CERTROT_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
# The image's unprivileged `node` user (uid 1000); nothing under /app is writable by it.
USER node
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["worker"]
