// Tokens external systems use to call the API on a tenant's behalf. The token is shown once, at
// creation; only its hash is kept.
import { z } from 'zod';
import { ApiToken } from '../../db/models';
import { hashToken, randomToken } from '../../lib/crypto';
import { API_TOKEN_PREFIX } from '../auth/middleware';
import { pageQuery, paginate } from '../http/pagination';
import { idParams, type ApiRegistry } from '../http/route';

const present = ({ tokenHash: _hash, ...visible }: ApiToken) => visible;

export function apiTokenRoutes(api: ApiRegistry) {
  api.route({
    method: 'get',
    path: '/api-tokens',
    summary: "List the tenant's API tokens (without their secret part)",
    tag: 'api-tokens',
    access: ['admin'],
    query: pageQuery,
    handler: async ({ scope, query }) => {
      const page = await paginate(scope.query(ApiToken), query, 'api_tokens.id');
      return { ...page, data: page.data.map(present) };
    },
  });

  api.route({
    method: 'post',
    path: '/api-tokens',
    summary: 'Create an API token; the answer is the only time the token is shown',
    tag: 'api-tokens',
    access: ['admin'],
    body: z.object({ name: z.string().trim().min(1).max(120) }),
    status: 201,
    handler: async ({ scope, principal, body }) => {
      const token = `${API_TOKEN_PREFIX}${randomToken(24)}`;
      const stored = await scope.insert(ApiToken, {
        name: body.name,
        tokenHash: hashToken(token),
        prefix: token.slice(0, 10),
        createdBy: principal.userId,
      });
      return { ...present(stored), token };
    },
  });

  api.route({
    method: 'delete',
    path: '/api-tokens/:id',
    summary: 'Revoke an API token',
    tag: 'api-tokens',
    access: ['admin'],
    params: idParams,
    status: 204,
    handler: async ({ scope, params }) => {
      await scope.find(ApiToken, params.id, 'API token');
      await scope
        .query(ApiToken)
        .patch({ revokedAt: new Date().toISOString() })
        .where('id', params.id);
    },
  });
}
