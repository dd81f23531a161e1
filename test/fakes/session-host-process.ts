// A session host in a process of its own, as a second worker machine would run it, with the
// fake WhatsApp client (which restores a remembered login by itself). The failover test kills
// it with SIGKILL. It reports on stdout, one JSON object per line: when it polls, and each
// client it opens.
import { createDb } from '../../db/knex';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createServices } from '../../lib/services';
import { createTemporalClient } from '../../temporal/client';
import { createSessionHostWorkers } from '../../temporal/worker';
import { FakeWhatsappNetwork } from './whatsapp-client';

const config = loadConfig();
const address = config.temporalAddress as string;
const log = createLogger(config.logLevel);
const services = createServices({
  config,
  db: createDb(config.databaseUrl as string),
  secrets: { jwtSecret: config.jwtSecret as string, encryptionKey: config.encryptionKey as string },
  temporal: await createTemporalClient({ address, namespace: config.temporalNamespace }),
  log,
});

const network = new FakeWhatsappNetwork();
const report = (event: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify(event)}\n`);
const workers = await createSessionHostWorkers(services, {
  address,
  taskQueue: config.temporalTaskQueue,
  channelDrivers: {
    whatsappClient: (options) => {
      report({ event: 'client', clientId: options.clientId });
      return network.factory(options);
    },
  },
});
report({ event: 'ready', queue: workers.sessionQueue });
process.on('SIGTERM', () => workers.shutdown());
await workers.run();
process.exit(0);
