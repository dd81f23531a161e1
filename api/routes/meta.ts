import type { Services } from '../../lib/services';
import type { ApiRegistry } from '../http/route';

export function metaRoutes(api: ApiRegistry, { config }: Services) {
  api.route({
    method: 'get',
    path: '/meta',
    summary: 'Public facts the web app needs: where the Temporal Web UI is, and its namespace',
    tag: 'meta',
    access: 'public',
    handler: async () => ({
      temporalUiUrl: config.temporalUiUrl,
      temporalNamespace: config.temporalNamespace,
    }),
  });
}
