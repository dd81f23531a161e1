// Builds the Temporal worker that runs every workflow and activity of the product.
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Logger } from '../lib/logger';
import type { Services } from '../lib/services';

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
}

export async function createWorker(services: Services, options: WorkerOptions): Promise<Worker> {
  installRuntimeLogger(services.log);
  const connection = await NativeConnection.connect({ address: options.address });
  return Worker.create({
    connection,
    namespace: services.config.temporalNamespace,
    taskQueue: options.taskQueue,
    activities: createActivities(services),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath, bundlerOptions: { ignoreModules: [] } }),
  });
}
