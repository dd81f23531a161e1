// Web chat needs no outside network: a reply is "sent" when it is stored, and the visitor's
// widget receives it over its socket or on its next poll.
import crypto from 'node:crypto';
import type { ChannelAdapter, OutboundMessage, SendResult } from './types';

export type VisitorNotifier = (visitorId: string) => void;

export class WebchatAdapter implements ChannelAdapter {
  readonly type = 'webchat' as const;

  constructor(private readonly notifyVisitor: VisitorNotifier) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    this.notifyVisitor(message.to);
    return { channelMessageId: `wc-out-${crypto.randomUUID()}` };
  }
}
