// Every activity the worker registers, built from the process's shared services.
import { Tenant } from '../db/models';
import type { Services } from '../lib/services';
import { createDeliveryActivities } from './delivery';
import { createTicketActivities } from './tickets';

export function createActivities(services: Services) {
  const { db } = services;
  return {
    async describeTenant(tenantId: number): Promise<string> {
      const tenant = await Tenant.query(db).findById(tenantId).throwIfNotFound();
      return tenant.name;
    },
    ...createTicketActivities(services),
    ...createDeliveryActivities(services),
  };
}

export type Activities = ReturnType<typeof createActivities>;
