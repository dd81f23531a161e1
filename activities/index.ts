// Every activity the worker registers, built from the process's shared services.
import { Tenant } from '../db/models';
import type { Services } from '../lib/services';
import { createSessionActivities } from './channels/session-activities';
import type { SessionHost } from './channels/session-host';
import { createDeliveryActivities } from './delivery';
import { createTicketActivities } from './tickets';

/** `sessionHost` is set in processes that host live channel sessions. */
export function createActivities(services: Services, sessionHost?: SessionHost) {
  const { db } = services;
  return {
    async describeTenant(tenantId: number): Promise<string> {
      const tenant = await Tenant.query(db).findById(tenantId).throwIfNotFound();
      return tenant.name;
    },
    ...createTicketActivities(services),
    ...createDeliveryActivities(services, sessionHost),
    ...createSessionActivities(services, sessionHost),
  };
}

export type Activities = ReturnType<typeof createActivities>;
