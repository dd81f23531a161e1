import { z } from 'zod';
import type { Services } from '../../lib/services';
import type { ApiRegistry } from '../http/route';
import { roomsFor } from '../realtime/gateway';

export function eventRoutes(api: ApiRegistry, services: Services) {
  api.route({
    method: 'get',
    path: '/events',
    summary: 'Realtime events the caller missed since a sequence number (after a reconnect)',
    tag: 'realtime',
    access: ['admin', 'agent'],
    query: z.object({
      after: z.coerce.number().int().min(0),
      limit: z.coerce.number().int().min(1).max(500).default(500),
    }),
    handler: async ({ scope, principal, query }) => ({
      data: await services.publisher.since(
        scope.tenantId,
        roomsFor(principal),
        query.after,
        query.limit,
      ),
    }),
  });
}
