// Helpers the channel tests share: a sink that records what adapters hand to the ingest path,
// and polling until something a user would see has happened.
import type { ChannelSink, InboundMessage, MessageUpdate } from '../../activities/channels/types';

export class RecordingSink implements ChannelSink {
  readonly inbounds: InboundMessage[] = [];
  readonly updates: MessageUpdate[] = [];
  readonly states: { state: string; qr?: string; reason?: string }[] = [];

  async inbound(message: InboundMessage): Promise<void> {
    this.inbounds.push(message);
  }

  async update(_tenantId: number, _channelId: number, update: MessageUpdate): Promise<void> {
    this.updates.push(update);
  }

  async state(
    _tenantId: number,
    _channelId: number,
    state: string,
    detail: { qr?: string; reason?: string } = {},
  ) {
    this.states.push({ state, ...detail });
  }

  lastState(): string | undefined {
    return this.states.at(-1)?.state;
  }
}

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
