// Picks the adapter for a channel. Adapters without a session are built per use; session
// adapters (WhatsApp, Telegram polling) live inside their supervision activity instead.
import { Channel } from '../../db/models';
import { rooms } from '../../lib/realtime';
import type { Services } from '../../lib/services';
import { channelConfig } from '../../lib/channel-config';
import type { ChannelAdapter, ChannelContext } from './types';
import { WebchatAdapter } from './webchat';

export function channelContext(services: Services, channel: Channel, sink: ChannelContext['sink']): ChannelContext {
  return {
    tenantId: channel.tenantId,
    channelId: channel.id,
    type: channel.type,
    config: channelConfig(services, channel),
    dataDir: services.config.dataDir,
    sink,
  };
}

export function adapterFor(services: Services, channel: Channel): ChannelAdapter {
  switch (channel.type) {
    case 'webchat':
      return new WebchatAdapter((visitorId) =>
        services.publisher.emitOnly([rooms.visitor(channel.id, visitorId)], 'webchat:update', {}),
      );
    default:
      throw new Error(`No adapter for ${channel.type} channels yet`);
  }
}
