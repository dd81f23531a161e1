import { readSettings, writeSettings } from '../../db/settings';
import type { Services } from '../../lib/services';
import { settingsSchema } from '../../lib/tenant-settings';
import type { ApiRegistry } from '../http/route';

export function settingsRoutes(api: ApiRegistry, { db }: Services) {
  api.route({
    method: 'get',
    path: '/settings',
    summary: "The tenant's settings, defaults filled in",
    tag: 'settings',
    access: ['admin', 'agent'],
    handler: async ({ scope }) => ({ data: await readSettings(db, scope.tenantId) }),
  });

  api.route({
    method: 'put',
    path: '/settings',
    summary: 'Change some settings; keys left out keep their value',
    tag: 'settings',
    access: ['admin'],
    body: settingsSchema,
    handler: async ({ scope, body }) => {
      await writeSettings(db, scope.tenantId, body);
      return { data: await readSettings(db, scope.tenantId) };
    },
  });
}
