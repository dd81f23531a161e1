// `npm run api`: the API process alone, joining external PostgreSQL, Temporal and Redis.
import { ensureSuperUser } from '../db/super-user';
import { loadConfig } from '../lib/config';
import { logger } from '../lib/logger';
import { closeServices, connectServices } from '../lib/services';
import { startApiServer } from './server';

const config = loadConfig();
if (!config.databaseUrl || !config.temporalAddress) {
  logger.fatal('npm run api needs DATABASE_URL and TEMPORAL_ADDRESS; use npm start for everything');
  process.exit(1);
}

const services = await connectServices(config, logger, {
  databaseUrl: config.databaseUrl,
  temporalAddress: config.temporalAddress,
});
await ensureSuperUser(services.db, config.adminEmail, config.adminPassword, logger);
const api = await startApiServer(services, { port: config.port, host: config.host });
logger.info({ url: config.publicUrl }, 'API listening');

const shutdown = async () => {
  await api.close();
  await closeServices(services);
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
