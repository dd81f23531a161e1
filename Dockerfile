# Production image for the API and the worker (the same image, different commands).
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ENV PUPPETEER_SKIP_DOWNLOAD=1 NODE_ENV=production CHROMIUM_PATH=/usr/bin/chromium
WORKDIR /app
COPY package.json package-lock.json ./
# TEMPORAL_ADDRESS is set in production, so the install step skips the dev-server CLI.
RUN TEMPORAL_ADDRESS=external npm ci --no-audit --no-fund
COPY . .
RUN npm run build:web
EXPOSE 3000
CMD ["npm", "run", "api"]
