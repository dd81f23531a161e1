import type { Channel } from '../db/models';
import type { Services } from './services';

/** The decrypted config of a channel: plain settings with the sealed secrets merged in. */
export function channelConfig(
  services: Pick<Services, 'secretBox'>,
  channel: Channel,
): Record<string, unknown> {
  const secrets = channel.secrets
    ? services.secretBox.open<Record<string, unknown>>(channel.secrets)
    : {};
  return { ...channel.config, ...secrets };
}
