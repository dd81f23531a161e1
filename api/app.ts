// The HTTP edge: health, the versioned REST API, its OpenAPI document and the built web app.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Services } from '../lib/services';
import { authenticate } from './auth/middleware';
import { TokenService } from './auth/tokens';
import { compressedStatic } from './http/compressed-static';
import { errorHandler } from './http/errors';
import { ApiRegistry } from './http/route';
import { apiTokenRoutes } from './routes/api-tokens';
import { authRoutes } from './routes/auth';
import { catalogRoutes } from './routes/catalog';
import { channelSessionRoutes } from './routes/channel-sessions';
import { channelRoutes } from './routes/channels';
import { contactRoutes } from './routes/contacts';
import { dashboardRoutes } from './routes/dashboard';
import { metaRoutes } from './routes/meta';
import { eventRoutes } from './routes/events';
import { settingsRoutes } from './routes/settings';
import { tenantRoutes } from './routes/tenants';
import { ticketRoutes } from './routes/tickets';
import { userRoutes } from './routes/users';
import { META_WEBHOOK_PATH, webhookRoutes } from './routes/webhooks';
import { webchatRoutes } from './routes/webchat';

export interface AppOptions {
  redis?: Redis;
}

export interface ApiApp {
  app: Express;
  tokens: TokenService;
  registry: ApiRegistry;
}

const require = createRequire(import.meta.url);

async function readiness(services: Services, redis: Redis | undefined) {
  const check = async (probe: () => Promise<unknown>) => {
    try {
      await probe();
      return 'up' as const;
    } catch {
      return 'down' as const;
    }
  };
  const [database, temporal, cache] = await Promise.all([
    check(() => services.db.raw('select 1')),
    check(() => services.temporal.connection.workflowService.getSystemInfo({})),
    redis ? check(() => redis.ping()) : Promise.resolve('not configured' as const),
  ]);
  return { database, temporal, redis: cache };
}

function docsPage(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>TikTickets API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;
}

export function createApp(services: Services, options: AppOptions = {}): ApiApp {
  const { config, db, log } = services;
  const tokens = new TokenService(db, services.secrets.jwtSecret);
  const registry = new ApiRegistry();
  const app = express();
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    req.requestId = String(req.headers['x-request-id'] ?? crypto.randomUUID());
    res.setHeader('x-request-id', req.requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        requestId: req.requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms,
      };
      if (res.statusCode >= 500) log.error(line, 'request');
      else log.debug(line, 'request');
    });
    next();
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const state = await readiness(services, options.redis);
    const ready = Object.values(state).every((value) => value !== 'down');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', ...state });
  });

  authRoutes(registry, services, tokens);
  tenantRoutes(registry, services);
  userRoutes(registry, services);
  catalogRoutes(registry);
  settingsRoutes(registry, services);
  channelSessionRoutes(registry, services);
  channelRoutes(registry, services);
  contactRoutes(registry, services);
  ticketRoutes(registry, services);
  eventRoutes(registry, services);
  dashboardRoutes(registry, services);
  metaRoutes(registry, services);
  apiTokenRoutes(registry);
  webchatRoutes(registry, services);
  webhookRoutes(registry, services);

  // The web chat widget calls the public endpoints from the tenants' own sites.
  app.use('/api/v1/public', (req, res, next) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('access-control-allow-headers', 'content-type');
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader('vary', 'origin');
    if (req.method === 'OPTIONS') res.status(204).end();
    else next();
  });

  // Meta signs the exact bytes it sent: keep them raw for the signature check (before JSON parsing).
  app.post(META_WEBHOOK_PATH, express.raw({ type: () => true, limit: '5mb' }));

  const apiRouter = express.Router();
  apiRouter.use(express.json({ limit: '1mb' }), cookieParser(), authenticate(db, tokens));
  apiRouter.get('/openapi.json', (_req, res) => {
    res.json(registry.openapi({ title: 'TikTickets API', version: '1', serverUrl: '/api/v1' }));
  });
  apiRouter.use(registry.router());
  apiRouter.use((_req, res) => {
    res
      .status(404)
      .json({ error: { code: 'not_found', message: 'No such endpoint.', details: [] } });
  });
  app.use('/api/v1', apiRouter);

  app.get('/api/docs', (_req, res) => {
    res.type('html').send(docsPage());
  });
  app.get('/api/docs/init.js', (_req, res) => {
    res.type('js').send(`SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#ui' });`);
  });
  app.use(
    '/api/docs/assets',
    express.static(path.dirname(require.resolve('swagger-ui-dist/package.json'))),
  );

  if (fs.existsSync(path.join(config.webDistDir, 'index.html'))) {
    app.use(compressedStatic(config.webDistDir));
    app.use(express.static(config.webDistDir, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
      res.sendFile(path.join(config.webDistDir, 'index.html'));
    });
  }

  app.use(errorHandler(log));
  return { app, tokens, registry };
}
