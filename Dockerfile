# esxgate container image.
#   docker build -t esxgate .
#   docker run -p 8080:8080 -e ESXGATE_URI='esx://root@esx1.example.com/' -e ESXGATE_PASSWORD_FILE=/run/secrets/esx esxgate
# Stage 1 compiles TypeScript with the dev dependencies; stage 2 resolves production dependencies
# only; the runtime stage holds dist/ + those node_modules and runs as the unprivileged "node" user.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
# A 2 MB young generation lets V8 give back the heap it grew while decoding a large inventory
# (bench: 5000 mirrored VMs settle at ~131 MB instead of ~286 MB).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=2 \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
# Owned by root and read-only for the service user: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
USER node
EXPOSE 8080
# node instead of curl: the slim image has no curl, and node is there anyway.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
