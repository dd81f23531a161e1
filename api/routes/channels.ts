// A tenant's channels. Secrets in a channel's config (tokens, app secrets) are sealed at rest
// and write-only: answers carry the non-secret settings and which secrets are set.
import { z } from 'zod';
import { Channel, Queue, Tenant } from '../../db/models';
import type { TenantScope } from '../../db/tenant-scope';
import { randomToken } from '../../lib/crypto';
import { conflict } from '../../lib/errors';
import { presentChannel } from '../../lib/presenters';
import type { Services } from '../../lib/services';
import { channelConfig } from '../../lib/channel-config';
import { followChannelChange } from '../../temporal/channel-sessions';
import { pageQuery, paginate } from '../http/pagination';
import { idParams, validationError, type ApiRegistry } from '../http/route';

/** Config keys that are secrets, per channel type; everything else is plain settings. */
export const SECRET_KEYS: Record<string, string[]> = {
  whatsapp: [],
  telegram: ['token', 'webhookSecret'],
  messenger: ['pageAccessToken', 'appSecret', 'verifyToken'],
  instagram: ['pageAccessToken', 'appSecret', 'verifyToken'],
  webchat: ['hmacSecret'],
};

const url = z.string().url().max(500);
const metaConfig = z.object({
  pageId: z.string().min(1).max(100),
  pageAccessToken: z.string().min(1).max(1000),
  appSecret: z.string().min(1).max(200),
  verifyToken: z.string().min(1).max(200),
  graphApiUrl: url.optional(),
});

export const CONFIG_SCHEMAS = {
  whatsapp: z.object({
    rejectCalls: z.boolean().optional(),
    rejectCallMessage: z.string().max(1000).optional(),
  }),
  telegram: z.object({
    token: z.string().regex(/^\d+:[\w-]+$/, 'a bot token looks like 123456:ABC-def'),
    apiRoot: url.optional(),
    mode: z.enum(['polling', 'webhook']).optional(),
    webhookSecret: z.string().min(1).max(256).optional(),
  }),
  messenger: metaConfig,
  instagram: metaConfig,
  webchat: z.object({
    allowedOrigins: z.array(z.string().max(200)).max(50).optional(),
    hmacSecret: z.string().min(16).max(200).optional(),
  }),
} as const;

const channelType = z.enum(['whatsapp', 'telegram', 'messenger', 'instagram', 'webchat']);
const messageText = z.string().max(4000).nullable().optional();

const createBody = z.object({
  type: channelType,
  name: z.string().trim().min(1).max(120),
  queueId: z.number().int().positive().nullable().optional(),
  greetingMessage: messageText,
  farewellMessage: messageText,
  config: z.record(z.string(), z.unknown()).default({}),
});

const patchBody = createBody.omit({ type: true }).partial();

/** Splits a validated config into plain settings and sealed secrets (merged over old ones). */
function splitConfig(
  services: Services,
  type: string,
  config: Record<string, unknown>,
  previousSecrets: string | null,
) {
  const parsed = CONFIG_SCHEMAS[type as keyof typeof CONFIG_SCHEMAS].safeParse(config);
  if (!parsed.success) {
    const error = validationError(parsed.error, 'config');
    error.details.forEach((detail) => (detail.path = `config.${detail.path}`));
    throw error;
  }
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = previousSecrets
    ? services.secretBox.open<Record<string, unknown>>(previousSecrets)
    : {};
  for (const [key, value] of Object.entries(parsed.data)) {
    if (SECRET_KEYS[type].includes(key)) secrets[key] = value;
    else plain[key] = value;
  }
  return {
    config: plain,
    secrets: Object.keys(secrets).length ? services.secretBox.seal(secrets) : null,
  };
}

function present(services: Services, channel: Channel) {
  const secretKeys = channel.secrets
    ? Object.keys(services.secretBox.open<Record<string, unknown>>(channel.secrets))
    : [];
  return { ...presentChannel(channel), secretsSet: secretKeys };
}

async function assertQueue(scope: TenantScope, queueId: number | null | undefined) {
  if (queueId) await scope.assertOwned(Queue, [queueId], 'Queue');
}

export function channelRoutes(api: ApiRegistry, services: Services) {
  const { db } = services;

  api.route({
    method: 'get',
    path: '/channels',
    summary: 'List channels',
    tag: 'channels',
    access: ['admin', 'agent'],
    query: pageQuery.extend({ type: channelType.optional() }),
    handler: async ({ scope, query }) => {
      const channels = scope.query(Channel);
      if (query.type) channels.where('type', query.type);
      const page = await paginate(channels, query, 'channels.id');
      return { ...page, data: page.data.map((channel) => present(services, channel)) };
    },
  });

  api.route({
    method: 'get',
    path: '/channels/:id',
    summary: 'Get one channel',
    tag: 'channels',
    access: ['admin', 'agent'],
    params: idParams,
    handler: async ({ scope, params }) =>
      present(services, await scope.find(Channel, params.id, 'Channel')),
  });

  api.route({
    method: 'post',
    path: '/channels',
    summary: 'Connect a channel',
    tag: 'channels',
    access: ['admin'],
    body: createBody,
    status: 201,
    handler: async ({ scope, body }) => {
      await assertQueue(scope, body.queueId);
      const { config, secrets } = splitConfig(services, body.type, body.config, null);
      const tenant = await Tenant.query(db).findById(scope.tenantId).throwIfNotFound();
      const channel = await db.transaction(async (trx) => {
        await trx.raw('select pg_advisory_xact_lock(?, ?)', [1, scope.tenantId]);
        const count = await scope.within(trx).query(Channel).resultSize();
        if (tenant.maxChannels !== null && count >= tenant.maxChannels) {
          throw conflict(
            'limit_reached',
            `This company may connect at most ${tenant.maxChannels} channels.`,
            [{ path: 'maxChannels', message: String(tenant.maxChannels) }],
          );
        }
        return scope.within(trx).insert(Channel, {
          type: body.type,
          name: body.name,
          queueId: body.queueId ?? null,
          greetingMessage: body.greetingMessage ?? null,
          farewellMessage: body.farewellMessage ?? null,
          config,
          secrets,
          status: body.type === 'webchat' ? 'connected' : 'disconnected',
          widgetToken: body.type === 'webchat' ? randomToken(18) : null,
        });
      });
      await followChannelChange(services, undefined, channel);
      return present(services, channel);
    },
  });

  api.route({
    method: 'patch',
    path: '/channels/:id',
    summary: 'Change a channel; config keys left out keep their value',
    tag: 'channels',
    access: ['admin'],
    params: idParams,
    body: patchBody,
    handler: async ({ scope, params, body }) => {
      const channel = await scope.find(Channel, params.id, 'Channel');
      await assertQueue(scope, body.queueId);
      const { config: newConfig, ...fields } = body;
      const changes = newConfig
        ? splitConfig(
            services,
            channel.type,
            { ...channelConfig(services, channel), ...newConfig },
            null,
          )
        : {};
      const updated = await scope
        .query(Channel)
        .patchAndFetchById(params.id, { ...fields, ...changes });
      if (newConfig) await followChannelChange(services, channel, updated);
      return present(services, updated);
    },
  });

  api.route({
    method: 'delete',
    path: '/channels/:id',
    summary: 'Remove a channel and its conversations',
    tag: 'channels',
    access: ['admin'],
    params: idParams,
    status: 204,
    handler: async ({ scope, params }) => {
      const channel = await scope.find(Channel, params.id, 'Channel');
      await followChannelChange(services, channel, undefined);
      await scope.query(Channel).deleteById(params.id);
    },
  });
}
