// The public side of web chat: a visitor's widget posts messages and reads its conversation
// with the channel's public widget token. No user account is involved, so every request is
// rate-limited per visitor and per IP.
import crypto from 'node:crypto';
import { z } from 'zod';
import { Ingest, type IngestResult } from '../../activities/ingest';
import { Channel, ContactIdentity, Message } from '../../db/models';
import { channelConfig } from '../../lib/channel-config';
import { hmacSha256, safeEqual } from '../../lib/crypto';
import { AppError, notFound, unauthorized } from '../../lib/errors';
import { RateLimiter } from '../../lib/rate-limit';
import type { Services } from '../../lib/services';
import type { ApiRegistry } from '../http/route';

const tokenParams = z.object({ widgetToken: z.string().min(10).max(64) });
const visitorId = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only');

const postBody = z.object({
  visitorId,
  name: z.string().trim().max(200).optional(),
  text: z.string().trim().min(1).max(4096),
  clientMessageId: z.string().trim().min(1).max(100).optional(),
  /** For visitors signed in on the tenant's site: their id and HMAC-SHA256(id, hmacSecret). */
  identifier: z.string().trim().min(1).max(200).optional(),
  identifierHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'hex SHA-256')
    .optional(),
});

export interface VisitorMessage {
  id: number;
  direction: 'in' | 'out';
  body: string;
  kind: string;
  status: string;
  createdAt: string;
}

export async function webchatChannel(services: Services, widgetToken: string): Promise<Channel> {
  const channel = await Channel.query(services.db)
    .join('tenants', 'tenants.id', 'channels.tenantId')
    .where('tenants.status', 'active')
    .select('channels.*')
    .findOne({ widgetToken, type: 'webchat' });
  if (!channel) throw notFound('Web chat');
  return channel;
}

/** The external id a visitor is known by: a verified site identity, or the browser's own id. */
function visitorIdentity(
  services: Services,
  channel: Channel,
  body: z.infer<typeof postBody>,
): string {
  const secret = channelConfig(services, channel).hmacSecret as string | undefined;
  if (!body.identifier) return body.visitorId;
  if (
    !secret ||
    !body.identifierHash ||
    !safeEqual(hmacSha256(secret, body.identifier), body.identifierHash)
  ) {
    throw unauthorized('The visitor identity could not be verified.');
  }
  return `id:${body.identifier}`;
}

export function webchatRoutes(api: ApiRegistry, services: Services) {
  const ingest = new Ingest(services);
  const perVisitor = new RateLimiter(60, 60_000);
  const perIp = new RateLimiter(services.config.webchatRateLimit, 60_000);

  api.route({
    method: 'post',
    path: '/public/webchat/:widgetToken/messages',
    summary: 'A visitor writes; a retried post with the same clientMessageId is stored once',
    tag: 'webchat',
    access: 'public',
    params: tokenParams,
    body: postBody,
    status: 201,
    handler: async ({ params, body, req, res }) => {
      const channel = await webchatChannel(services, params.widgetToken);
      const allowedOrigins = (channel.config.allowedOrigins as string[] | undefined) ?? [];
      const origin = req.headers.origin;
      if (origin && allowedOrigins.length && !allowedOrigins.includes(origin)) {
        throw new AppError(403, 'origin_not_allowed', `Web chat is not enabled for ${origin}.`);
      }
      const externalId = visitorIdentity(services, channel, body);
      const ipKey = `${channel.id}:${req.ip}`;
      if (!perIp.hit(ipKey) || !perVisitor.hit(`${channel.id}:${externalId}`)) {
        res.setHeader('Retry-After', String(perIp.retryAfter(ipKey) || 60));
        throw new AppError(429, 'rate_limited', 'Too many messages; wait a moment.');
      }

      const result = (await ingest.inbound({
        tenantId: channel.tenantId,
        channelId: channel.id,
        channelMessageId: body.clientMessageId
          ? `wc-in-${externalId}-${body.clientMessageId}`
          : `wc-in-${crypto.randomUUID()}`,
        from: { externalId, name: body.name },
        kind: 'text',
        body: body.text,
      })) as IngestResult;
      return { id: result.messageId, duplicate: result.duplicate };
    },
  });

  api.route({
    method: 'get',
    path: '/public/webchat/:widgetToken/messages',
    summary: "The visitor's conversation, oldest first, after a message id",
    tag: 'webchat',
    access: 'public',
    params: tokenParams,
    query: z.object({ visitorId, after: z.coerce.number().int().min(0).default(0) }),
    handler: async ({ params, query }) => {
      const channel = await webchatChannel(services, params.widgetToken);
      const identity = await ContactIdentity.query(services.db).findOne({
        channelId: channel.id,
        externalId: query.visitorId,
      });
      if (!identity) return { data: [] };
      const rows = await Message.query(services.db)
        .where({ channelId: channel.id, contactId: identity.contactId, isPrivate: false })
        .where('id', '>', query.after)
        .orderBy('id')
        .limit(200);
      const data: VisitorMessage[] = rows.map((row) => ({
        id: row.id,
        direction: row.direction,
        body: row.isDeleted ? '' : row.body,
        kind: row.kind,
        status: row.status,
        createdAt: new Date(row.createdAt).toISOString(),
      }));
      return { data };
    },
  });
}
