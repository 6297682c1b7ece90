# Ferry's image: the node-agent DaemonSet and the data-mover pods both run it (`node-agent server`,
# `data-mover backup|restore`). Build: docker build -t <registry>/ferry:<version> .   (see docs/packaging.md)

# The build and deps stages use the full node:22 image (Debian, with python3, make and g++): zstd-napi's install is
# `prebuild-install -r napi || node-gyp rebuild`, so where its prebuilt binary cannot be downloaded it is compiled,
# and node:22-slim has no toolchain for that. The runtime stage is node:22-slim: both tags follow the same Debian
# release, so the native module built in deps loads there.

# --- build: all dependencies, compile the TypeScript into dist/ ---
FROM node:22 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json \
 # tsc copies no data files: the CRDs install applies are read next to the compiled module.
 && cp -r src/kube/crds dist/kube/crds

# --- production dependencies only (zstd-napi keeps its native build from this stage) ---
FROM node:22 AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

# --- runtime ---
FROM node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# bin/ferry.js runs dist/ when present: no TypeScript tooling at run time.
USER node
ENTRYPOINT ["node", "/app/bin/ferry.js"]
CMD ["--help"]
