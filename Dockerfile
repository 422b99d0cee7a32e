# The hub on the official Node 24 image. Node 24 runs the TypeScript sources directly (type stripping),
# so there is no build step. Certificates and keys are mounted at /app/certs; the database lives in /app/data.
FROM node:24-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
# The `node` dev dependency pins Node 24 for development only; this image already has it. `npm install`
# rather than `npm ci`, as in .ci/run: npm 11's `npm ci` refuses this lockfile, which lacks the other
# platforms' optional msgpackr-extract binaries (npm itself never writes them into it).
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY src ./src
COPY adapters ./adapters
COPY config ./config
COPY docs ./docs

RUN mkdir -p /app/data /app/certs && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8443 9464

# A health check over mutual TLS would need a client certificate inside the image; orchestrators
# probe the plain-HTTP ops port on loopback instead (`/readyz` on 9464), as docker-compose.yml does.

# The same command as `npm start` (a test holds them equal); the README's Operations section says why
# the young generation is capped.
CMD ["node", "--max-semi-space-size=16", "src/main.ts"]
