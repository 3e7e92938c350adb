# One image for every modpipe process; docker-compose picks the subcommand.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV HOST=0.0.0.0 NODE_ENV=production
USER node
ENTRYPOINT ["node", "bin/modpipe.js"]
