// `npm run worker`: a worker process of its own. With REDIS_URL its realtime events reach the API
// processes' sockets through the socket.io Redis emitter.
import { Emitter } from '@socket.io/redis-emitter';
import { loadConfig } from '../lib/config';
import { logger } from '../lib/logger';
import { connectRedis } from '../lib/redis';
import { closeServices, connectServices } from '../lib/services';
import { createWorker } from './worker';

const config = loadConfig();
if (!config.databaseUrl || !config.temporalAddress) {
  logger.fatal('npm run worker needs DATABASE_URL and TEMPORAL_ADDRESS; use npm start for everything');
  process.exit(1);
}

const services = await connectServices(config, logger, {
  databaseUrl: config.databaseUrl,
  temporalAddress: config.temporalAddress,
});
if (config.redisUrl) {
  const emitter = new Emitter(connectRedis(config.redisUrl, logger), {
    key: config.redisKeyPrefix,
  });
  services.publisher.attach((rooms, event, payload) => emitter.to(rooms).emit(event, payload));
} else {
  logger.warn('no REDIS_URL: events from this worker are stored but reach sockets only on replay');
}

const worker = await createWorker(services, {
  address: config.temporalAddress,
  taskQueue: config.temporalTaskQueue,
});
const shutdown = () => worker.shutdown();
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
await worker.run();
await closeServices(services);
