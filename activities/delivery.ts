// Sending a stored outbound message through its channel, and recording how it went.
import { ApplicationFailure } from '@temporalio/activity';
import { Channel, ContactIdentity, Message, Ticket } from '../db/models';
import { presentMessages } from '../db/views';
import { ticketRooms } from '../lib/realtime';
import type { Services } from '../lib/services';
import { adapterFor } from './channels/registry';
import { deliveryQueue, type SessionHost } from './channels/session-host';

export interface DeliveryInput {
  tenantId: number;
  messageId: number;
}

/** Raised by adapters for failures no retry can fix (closed 24-hour window, blocked user). */
export class PermanentDeliveryError extends Error {}

export function createDeliveryActivities(services: Services, sessions?: SessionHost) {
  const { db, publisher, storage } = services;

  const publishMessage = async (row: Message) => {
    const ticket = await Ticket.query(db).findById(row.ticketId);
    if (!ticket) return;
    const [message] = await presentMessages(db, [row]);
    await publisher.publish(row.tenantId, ticketRooms(ticket), 'message:updated', { message });
  };

  return {
    /** The task queue that can send for this channel; session channels pin it to one worker. */
    async deliveryRoute(input: {
      tenantId: number;
      channelId: number;
    }): Promise<{ taskQueue: string }> {
      const channel = await Channel.query(db).findOne({
        id: input.channelId,
        tenantId: input.tenantId,
      });
      const shared = services.config.temporalTaskQueue;
      return { taskQueue: channel ? deliveryQueue(channel, shared) : shared };
    },

    /**
     * Sends one pending message. A message already sent is left alone, so a retried activity
     * does not send it again once its result was recorded.
     */
    async deliverMessage(input: DeliveryInput): Promise<void> {
      const message = await Message.query(db).findOne({
        id: input.messageId,
        tenantId: input.tenantId,
      });
      if (!message || message.status !== 'pending' || message.isPrivate) return;
      const channel = await Channel.query(db).findById(message.channelId).throwIfNotFound();
      const identity = await ContactIdentity.query(db)
        .findOne({ contactId: message.contactId, channelId: message.channelId })
        .throwIfNotFound();
      const quoted = message.quotedMessageId
        ? await Message.query(db).findById(message.quotedMessageId).select('channelMessageId')
        : undefined;

      try {
        const result = await adapterFor(services, channel, sessions).send({
          to: identity.externalId,
          body: message.body,
          media: message.mediaPath
            ? {
                path: storage.pathOf(message.mediaPath),
                mimeType: message.mediaType ?? 'application/octet-stream',
                fileName: message.mediaName ?? 'file',
              }
            : undefined,
          quotedChannelMessageId: quoted?.channelMessageId ?? undefined,
        });
        const sent = await Message.query(db).patchAndFetchById(message.id, {
          status: 'sent',
          channelMessageId: result.channelMessageId,
          sentAt: new Date().toISOString(),
          error: null,
        });
        await publishMessage(sent);
      } catch (error) {
        if (error instanceof PermanentDeliveryError) {
          throw ApplicationFailure.nonRetryable(error.message, 'PermanentDeliveryError');
        }
        throw error;
      }
    },

    async markMessageFailed(input: DeliveryInput & { reason: string }): Promise<void> {
      const failed = await Message.query(db)
        .patch({ status: 'failed', error: input.reason.slice(0, 1000) })
        .where({ id: input.messageId, tenantId: input.tenantId, status: 'pending' })
        .returning('*');
      const rows = failed as unknown as Message[];
      if (rows[0]) await publishMessage(rows[0]);
    },
  };
}
