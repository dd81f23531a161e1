// Picks the adapter for a channel. Adapters without a session are built per use; session
// adapters (WhatsApp, Telegram polling) live inside their supervision activity, and a send for
// them is served by the worker process that hosts the session.
import { ApplicationFailure } from '@temporalio/activity';
import { Channel } from '../../db/models';
import { rooms } from '../../lib/realtime';
import type { Services } from '../../lib/services';
import { channelConfig } from '../../lib/channel-config';
import { SESSION_NOT_HERE } from '../../workflows/channel-session-api';
import { Ingest } from '../ingest';
import { MetaAdapter } from './meta';
import type { SessionHost } from './session-host';
import { TelegramAdapter } from './telegram';
import type { ChannelAdapter, ChannelContext } from './types';
import { WebchatAdapter } from './webchat';

export function channelContext(
  services: Services,
  channel: Channel,
  sink: ChannelContext['sink'],
): ChannelContext {
  return {
    tenantId: channel.tenantId,
    channelId: channel.id,
    type: channel.type,
    config: channelConfig(services, channel),
    dataDir: services.config.dataDir,
    sink,
  };
}

/** `sessions` is this process's session host, where a WhatsApp send finds its live client. */
export function adapterFor(
  services: Services,
  channel: Channel,
  sessions?: SessionHost,
): ChannelAdapter {
  const context = () => channelContext(services, channel, new Ingest(services));
  switch (channel.type) {
    case 'webchat':
      return new WebchatAdapter((visitorId) =>
        services.publisher.emitOnly([rooms.visitor(channel.id, visitorId)], 'webchat:update', {}),
      );
    case 'telegram':
      // The Bot API takes sends from anywhere; the live poller is reused when it is here.
      return sessions?.adapter(channel.id) ?? new TelegramAdapter(context());
    case 'messenger':
    case 'instagram':
      return new MetaAdapter(channel.type, context());
    case 'whatsapp': {
      const live = sessions?.adapter(channel.id);
      if (live) return live;
      throw ApplicationFailure.nonRetryable(
        'The WhatsApp session moved to another worker.',
        SESSION_NOT_HERE,
      );
    }
  }
}
