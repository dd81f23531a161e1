// Starts what every test file needs once per run: a Temporal dev server, a PostgreSQL server
// with a freshly migrated template database, and the bundled workflow code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import knexFactory from 'knex';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../db/embedded';
import { createDb, migrateToLatest } from '../../db/knex';
import { freePort, startDevServer, type DevServer } from '../../temporal/dev-server';
import { workflowsPath } from '../../temporal/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseServerUrl: string;
    templateDatabase: string;
    workflowBundlePath: string;
  }
}

let temporal: DevServer | undefined;
let embedded: EmbeddedDatabase | undefined;
let tmpDir: string | undefined;
let dropTemplate: (() => Promise<void>) | undefined;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function setup(project: TestProject) {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktickets-test-'));
  fs.chmodSync(tmpDir, 0o755);

  const [server, databaseServerUrl, bundle] = await Promise.all([
    startDevServer({ port: await freePort() }),
    (async () => {
      if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
      embedded = await startEmbeddedPostgres(tmpDir as string, await freePort());
      return embedded.url;
    })(),
    bundleWorkflowCode({ workflowsPath, logger: quietLogger }),
  ]);
  temporal = server;

  const templateDatabase = `tt_template_${process.pid}`;
  const admin = knexFactory({ client: 'pg', connection: databaseServerUrl });
  await admin.raw(`DROP DATABASE IF EXISTS ${templateDatabase}`);
  await admin.raw(`CREATE DATABASE ${templateDatabase}`);
  await admin.destroy();
  const template = createDb(withDatabase(databaseServerUrl, templateDatabase));
  await migrateToLatest(template);
  await template.destroy();

  const workflowBundlePath = path.join(tmpDir, 'workflow-bundle.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', server.address);
  project.provide('databaseServerUrl', databaseServerUrl);
  project.provide('templateDatabase', templateDatabase);
  dropTemplate = async () => {
    const cleanup = knexFactory({ client: 'pg', connection: databaseServerUrl });
    await cleanup.raw(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`);
    await cleanup.destroy();
  };
  project.provide('workflowBundlePath', workflowBundlePath);
}

export async function teardown() {
  await dropTemplate?.();
  await temporal?.stop();
  await embedded?.stop();
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (message: string) => process.stderr.write(`${message}\n`),
};
