import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { describeTenant } = proxyActivities<Activities>({ startToCloseTimeout: '10 seconds' });

/** Proves a worker, its activities and the database answer: reads a tenant's name back. */
export async function smokeWorkflow(input: { tenantId: number }): Promise<string> {
  return describeTenant(input.tenantId);
}
