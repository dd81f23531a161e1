// Connecting channels: start, restart, logout and stop for a tenant's managers, the session's
// live view, and channel health across tenants for the SaaS admin.
import { z } from 'zod';
import { MetaAdapter } from '../../activities/channels/meta';
import { channelContext } from '../../activities/channels/registry';
import { hasLiveSession } from '../../activities/channels/session-host';
import { TelegramAdapter } from '../../activities/channels/telegram';
import type { SessionState } from '../../activities/channels/types';
import { Ingest } from '../../activities/ingest';
import { Channel } from '../../db/models';
import { conflict } from '../../lib/errors';
import type { Services } from '../../lib/services';
import { commandSession, sessionStatus } from '../../temporal/channel-sessions';
import type { SessionCommand } from '../../workflows/channel-session-api';
import { pageQuery, paginate } from '../http/pagination';
import { idParams, type ApiRegistry } from '../http/route';
import { telegramWebhookSecret, telegramWebhookUrl } from './webhooks';

const channelType = z.enum(['whatsapp', 'telegram', 'messenger', 'instagram', 'webchat']);

const COMMANDS: Record<SessionCommand, string> = {
  start: 'Connect the channel (shows a QR code for WhatsApp)',
  restart: 'Drop the connection and connect again',
  logout: 'Forget the WhatsApp login and ask for a new QR code',
  stop: 'Disconnect the channel until it is started again',
};

export function channelSessionRoutes(api: ApiRegistry, services: Services) {
  const { db } = services;
  const ingest = new Ingest(services);
  const setState = (channel: Channel, state: SessionState, reason: string) =>
    ingest.state(channel.tenantId, channel.id, state, { reason });

  /** Webhook channels have nothing to keep alive: connecting them is one call to the network. */
  async function controlWebhookChannel(channel: Channel, command: SessionCommand) {
    const context = channelContext(services, channel, ingest);
    if (command === 'stop') {
      if (channel.type === 'telegram') await new TelegramAdapter(context).unregisterWebhook();
      await setState(channel, 'stopped', 'Stopped by a manager.');
      return;
    }
    try {
      if (channel.type === 'telegram') {
        const url = telegramWebhookUrl(services, channel);
        const bot = await new TelegramAdapter(context).registerWebhook(
          url,
          telegramWebhookSecret(services, channel),
        );
        await setState(channel, 'connected', `Telegram delivers @${bot}'s messages to ${url}`);
      } else {
        const page = await new MetaAdapter(
          channel.type as 'messenger' | 'instagram',
          context,
        ).connect();
        await setState(channel, 'connected', `Receiving messages for ${page}`);
      }
    } catch (error) {
      await setState(channel, 'disconnected', `Could not connect: ${(error as Error).message}`);
    }
  }

  async function control(channel: Channel, command: SessionCommand) {
    if (channel.type === 'webchat') {
      throw conflict(
        'not_supported',
        'Web chat channels are always on; there is nothing to connect.',
      );
    }
    if (command === 'logout' && channel.type !== 'whatsapp') {
      throw conflict('not_supported', 'Only WhatsApp channels keep a login to forget.');
    }
    if (hasLiveSession(channel)) await commandSession(services, channel, command);
    else await controlWebhookChannel(channel, command);
  }

  async function sessionView(channel: Channel) {
    const current = await Channel.query(db).findById(channel.id).throwIfNotFound();
    return {
      channelId: current.id,
      type: current.type,
      status: current.status,
      reason: current.statusReason,
      qrCode: current.qrCode,
      statusAt: current.statusAt,
      supervisor: hasLiveSession(current)
        ? ((await sessionStatus(services, current)) ?? null)
        : null,
    };
  }

  // Declared before `/channels/:id`, which would otherwise take "health" for an id.
  api.route({
    method: 'get',
    path: '/channels/health',
    summary: 'Channel health across all companies',
    tag: 'channels',
    access: ['super'],
    query: pageQuery.extend({
      status: z.string().max(16).optional(),
      type: channelType.optional(),
      tenantId: z.coerce.number().int().positive().optional(),
    }),
    handler: async ({ query }) => {
      const channels = Channel.query(db)
        .join('tenants', 'tenants.id', 'channels.tenantId')
        .select(
          'channels.id',
          'channels.tenantId',
          'tenants.name as tenantName',
          'channels.type',
          'channels.name',
          'channels.status',
          'channels.statusReason',
          'channels.statusAt',
          'channels.sessionQueue',
        );
      if (query.status) channels.where('channels.status', query.status);
      if (query.type) channels.where('channels.type', query.type);
      if (query.tenantId) channels.where('channels.tenantId', query.tenantId);
      const page = await paginate(channels, query, 'channels.id');
      const counts: { status: string; count: string }[] = await db('channels')
        .select('status')
        .count({ count: '*' })
        .groupBy('status');
      const byStatus = Object.fromEntries(counts.map((row) => [row.status, Number(row.count)]));
      return { ...page, byStatus };
    },
  });

  for (const [command, summary] of Object.entries(COMMANDS) as [SessionCommand, string][]) {
    api.route({
      method: 'post',
      path: `/channels/:id/${command}`,
      summary,
      tag: 'channels',
      access: ['admin'],
      params: idParams,
      status: 202,
      handler: async ({ scope, params }) => {
        const channel = await scope.find(Channel, params.id, 'Channel');
        await control(channel, command);
        return sessionView(channel);
      },
    });
  }

  api.route({
    method: 'get',
    path: '/channels/:id/session',
    summary: "The channel's connection: status, QR code and what its supervisor is doing",
    tag: 'channels',
    access: ['admin'],
    params: idParams,
    handler: async ({ scope, params }) =>
      sessionView(await scope.find(Channel, params.id, 'Channel')),
  });
}
