// Builds the Temporal workers of one process: the shared worker that runs every workflow and
// activity of the product and, when the process hosts channel sessions, two more — one that
// takes session placements, one on the process's own queue where its live sessions run.
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities';
import { SessionHost, type ChannelDrivers } from '../activities/channels/session-host';
import { chromiumClientFactory } from '../activities/channels/whatsapp';
import type { Logger } from '../lib/logger';
import type { Services } from '../lib/services';
import { sessionPlacementQueue } from '../workflows/channel-session-api';
import { resumeChannelSessions } from './channel-sessions';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

let runtimeInstalled = false;

/** Routes the SDK's own logs into the process logger; only once per process. */
export function installRuntimeLogger(log: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => {
      const level = entry.level === 'ERROR' ? 'error' : 'warn';
      log[level]({ ...entry.meta, source: 'temporal-sdk' }, entry.message);
    }),
  });
}

export interface WorkerOptions {
  address: string;
  taskQueue: string;
  /** Pre-built workflow bundle (tests build it once); otherwise bundled from source. */
  workflowBundle?: { codePath: string };
  /** How live sessions reach their networks: the system Chromium unless a test brings fakes. */
  channelDrivers?: ChannelDrivers;
}

/** The workers of one process, run and stopped together. */
export class ProcessWorkers {
  constructor(
    private readonly workers: Worker[],
    private readonly connection: NativeConnection,
    /** The process's own session queue, when it hosts channel sessions. */
    readonly sessionQueue: string | undefined,
  ) {}

  /** Resolves when every worker has stopped; one failing stops the others, then rethrows. */
  async run(): Promise<void> {
    try {
      await Promise.all(
        this.workers.map((worker) =>
          worker.run().catch((error) => {
            this.shutdown();
            throw error;
          }),
        ),
      );
    } finally {
      await this.connection.close();
    }
  }

  shutdown(): void {
    for (const worker of this.workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  }
}

export async function createWorker(
  services: Services,
  options: WorkerOptions,
): Promise<ProcessWorkers> {
  installRuntimeLogger(services.log);
  const connection = await NativeConnection.connect({ address: options.address });
  const host = services.config.channelSessions
    ? new SessionHost(services, options.channelDrivers ?? defaultDrivers(services))
    : undefined;
  const activities = createActivities(services, host);
  const shared = await Worker.create({
    connection,
    namespace: services.config.temporalNamespace,
    taskQueue: options.taskQueue,
    activities,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath, bundlerOptions: { ignoreModules: [] } }),
  });
  const sessionWorkers = host
    ? await hostWorkers(services, connection, options.taskQueue, host, activities)
    : [];

  // Sessions whose supervisor was lost (a Temporal server that kept no state) start again.
  resumeChannelSessions(services).catch((error) =>
    services.log.error({ err: error }, 'could not resume channel sessions'),
  );
  return new ProcessWorkers([shared, ...sessionWorkers], connection, host?.queue);
}

/** A process that only hosts channel sessions: no workflows and none of the shared activities. */
export async function createSessionHostWorkers(
  services: Services,
  options: Pick<WorkerOptions, 'address' | 'taskQueue' | 'channelDrivers'>,
): Promise<ProcessWorkers> {
  installRuntimeLogger(services.log);
  const connection = await NativeConnection.connect({ address: options.address });
  const host = new SessionHost(services, options.channelDrivers ?? defaultDrivers(services));
  const activities = createActivities(services, host);
  const workers = await hostWorkers(services, connection, options.taskQueue, host, activities);
  return new ProcessWorkers(workers, connection, host.queue);
}

/**
 * The placement worker takes claims from every host's shared placement queue; the pinned worker
 * polls this process's own queue, where its sessions and their sends run.
 */
async function hostWorkers(
  services: Services,
  connection: NativeConnection,
  taskQueue: string,
  host: SessionHost,
  activities: Activities,
): Promise<Worker[]> {
  const base = { connection, namespace: services.config.temporalNamespace, activities };
  return Promise.all([
    Worker.create({ ...base, taskQueue: sessionPlacementQueue(taskQueue) }),
    Worker.create({ ...base, taskQueue: host.queue }),
  ]);
}

function defaultDrivers(services: Services): ChannelDrivers {
  return { whatsappClient: chromiumClientFactory(services.config.chromiumPath) };
}
