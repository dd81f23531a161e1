// Inbound webhooks from the networks: Meta (Messenger, Instagram) and Telegram bots in webhook
// mode. Each request proves it comes from the network before anything in it is read, and is
// answered only once its messages are stored, so a failure makes the network deliver again.
import { z } from 'zod';
import {
  MetaAdapter,
  validMetaSignature,
  type MetaConfig,
  type MetaEntry,
} from '../../activities/channels/meta';
import { channelContext } from '../../activities/channels/registry';
import { TelegramAdapter } from '../../activities/channels/telegram';
import { Ingest } from '../../activities/ingest';
import { Channel } from '../../db/models';
import { channelConfig } from '../../lib/channel-config';
import { hmacSha256, safeEqual } from '../../lib/crypto';
import { AppError, badRequest, forbidden, notFound } from '../../lib/errors';
import type { Services } from '../../lib/services';
import type { ApiRegistry } from '../http/route';

/** Meta's webhook path; the app mounts a raw body parser on it, since the signature covers the raw bytes. */
export const META_WEBHOOK_PATH = '/api/v1/webhooks/meta';

const OBJECT_TYPES: Record<string, 'messenger' | 'instagram'> = {
  page: 'messenger',
  instagram: 'instagram',
};

/** The secret Telegram echoes in every webhook call: the channel's own, or one derived from ours. */
export function telegramWebhookSecret(services: Services, channel: Channel): string {
  const configured = channelConfig(services, channel).webhookSecret as string | undefined;
  return configured ?? hmacSha256(services.secrets.encryptionKey, `telegram-webhook:${channel.id}`);
}

export function telegramWebhookUrl(services: Services, channel: Channel): string {
  return `${services.config.publicUrl.replace(/\/+$/, '')}/api/v1/webhooks/telegram/${channel.id}`;
}

interface MetaChannel {
  channel: Channel;
  config: MetaConfig;
}

export function webhookRoutes(api: ApiRegistry, services: Services) {
  const { db } = services;
  const ingest = new Ingest(services);

  const metaChannels = async (): Promise<MetaChannel[]> => {
    const channels = await Channel.query(db).whereIn('type', ['messenger', 'instagram']);
    return channels.map((channel) => ({
      channel,
      config: channelConfig(services, channel) as unknown as MetaConfig,
    }));
  };

  api.route({
    method: 'get',
    path: '/webhooks/meta',
    summary: "Meta's webhook verification: echoes the challenge when the verify token is known",
    tag: 'webhooks',
    access: 'public',
    raw: true,
    query: z.object({
      'hub.mode': z.string().optional(),
      'hub.verify_token': z.string().optional(),
      'hub.challenge': z.string().max(200).optional(),
    }),
    handler: async ({ query, res }) => {
      const token = query['hub.verify_token'] ?? '';
      const known = (await metaChannels()).some(({ config }) =>
        safeEqual(config.verifyToken ?? '', token),
      );
      if (query['hub.mode'] !== 'subscribe' || !token || !known) {
        throw forbidden('The verify token does not match any Messenger or Instagram channel.');
      }
      res.type('text/plain').send(query['hub.challenge'] ?? '');
    },
  });

  api.route({
    method: 'post',
    path: '/webhooks/meta',
    summary: 'Messenger and Instagram events, signed with the app secret (X-Hub-Signature-256)',
    tag: 'webhooks',
    access: 'public',
    handler: async ({ req }) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = req.header('x-hub-signature-256');
      const signedBy = (await metaChannels()).filter(({ config }) =>
        validMetaSignature(raw, signature, config.appSecret ?? ''),
      );
      if (signedBy.length === 0) {
        throw new AppError(
          401,
          'invalid_signature',
          'The payload signature does not match any app secret.',
        );
      }

      const payload = parseJson(raw) as { object?: string; entry?: MetaEntry[] };
      const type = OBJECT_TYPES[payload.object ?? ''];
      for (const entry of payload.entry ?? []) {
        const target = signedBy.find(
          ({ channel, config }) => channel.type === type && config.pageId === entry.id,
        );
        if (!target || target.channel.status === 'stopped') continue;
        const context = channelContext(services, target.channel, ingest);
        await new MetaAdapter(type, context).receive(entry);
      }
      return { received: true };
    },
  });

  api.route({
    method: 'post',
    path: '/webhooks/telegram/:channelId',
    summary:
      "A Telegram bot's updates, with the channel's secret in X-Telegram-Bot-Api-Secret-Token",
    tag: 'webhooks',
    access: 'public',
    params: z.object({ channelId: z.coerce.number().int().positive() }),
    body: z.object({ update_id: z.number().int() }).passthrough(),
    handler: async ({ params, body, req }) => {
      const channel = await Channel.query(db).findOne({ id: params.channelId, type: 'telegram' });
      if (!channel || channel.config.mode !== 'webhook') throw notFound('Telegram webhook');
      const given = req.header('x-telegram-bot-api-secret-token') ?? '';
      if (!safeEqual(given, telegramWebhookSecret(services, channel))) {
        throw forbidden('The secret token does not match this channel.');
      }
      if (channel.status !== 'stopped') {
        await new TelegramAdapter(channelContext(services, channel, ingest)).receive(body);
      }
      return { received: true };
    },
  });
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('invalid_json', 'The request body is not valid JSON.');
  }
}
