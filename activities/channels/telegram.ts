// Telegram bots through telegraf's Bot API client. Updates arrive by long polling (a session the
// supervisor keeps alive) or by webhook; either way each update is stored before it is
// confirmed, so a failure makes Telegram deliver it again instead of losing it.
import fs from 'node:fs';
import { Telegram, TelegramError } from 'telegraf';
import type { Message, Update } from 'telegraf/types';
import { PermanentDeliveryError } from '../delivery';
import { describe } from './timing';
import {
  SessionEnded,
  type ChannelAdapter,
  type ChannelContext,
  type InboundMedia,
  type InboundMessage,
  type OutboundMessage,
  type SendResult,
  type SessionState,
} from './types';

export interface TelegramConfig {
  token: string;
  apiRoot?: string;
  mode?: 'polling' | 'webhook';
  webhookSecret?: string;
}

const ALLOWED_UPDATES = ['message', 'edited_message'] as const;
/** Seconds a getUpdates call waits for news before it answers empty. */
const POLL_TIMEOUT_SECONDS = 50;
/** A poll that has not come back this long after its own timeout means the loop is stuck. */
const STALL_GRACE_MS = 30_000;

type AnyMessage = Message & Record<string, any>;

export class TelegramAdapter implements ChannelAdapter {
  readonly type = 'telegram' as const;
  private readonly telegram: Telegram;
  private lastPollAt: number | undefined;

  constructor(private readonly ctx: ChannelContext) {
    const config = ctx.config as unknown as TelegramConfig;
    this.telegram = new Telegram(config.token, config.apiRoot ? { apiRoot: config.apiRoot } : {});
  }

  /** Long polling until `signal` aborts; confirms the last stored update on the way out. */
  async start(signal: AbortSignal): Promise<void> {
    await this.state('opening');
    const me = await this.call(() => this.telegram.getMe());
    await this.call(() => this.telegram.deleteWebhook());
    await this.state('connected', { reason: `Receiving messages for @${me.username}` });

    let offset = 0;
    this.lastPollAt = Date.now();
    while (!signal.aborted) {
      const updates = await this.call(() =>
        this.telegram.callApi(
          'getUpdates',
          { timeout: POLL_TIMEOUT_SECONDS, offset, allowed_updates: [...ALLOWED_UPDATES] },
          // telegraf types its own AbortSignal shim; node-fetch accepts the native one.
          {
            signal: signal as unknown as NonNullable<Parameters<Telegram['callApi']>[2]>['signal'],
          },
        ),
      ).catch((error) => {
        if (signal.aborted) return [];
        throw error;
      });
      this.lastPollAt = Date.now();
      for (const update of updates) {
        await this.receive(update);
        offset = update.update_id + 1;
      }
    }
    if (offset > 0) {
      await this.telegram
        .callApi('getUpdates', { offset, limit: 1, timeout: 0 })
        .catch(() => undefined);
    }
  }

  async probe(): Promise<string> {
    const silentFor = Date.now() - (this.lastPollAt ?? Date.now());
    if (silentFor > POLL_TIMEOUT_SECONDS * 1000 + STALL_GRACE_MS) {
      throw new Error(`Telegram polling has been stuck for ${Math.round(silentFor / 1000)} s`);
    }
    return 'polling';
  }

  async receive(event: unknown): Promise<void> {
    const update = event as Update;
    if ('edited_message' in update) {
      const edited = update.edited_message as AnyMessage;
      await this.ctx.sink.update(this.ctx.tenantId, this.ctx.channelId, {
        type: 'edit',
        channelMessageId: messageId(edited.chat.id, edited.message_id),
        body: edited.text ?? edited.caption ?? '',
      });
      return;
    }
    if ('message' in update) {
      const inbound = await this.toInbound(update.message as AnyMessage);
      if (inbound) await this.ctx.sink.inbound(inbound);
    }
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const quoted = message.quotedChannelMessageId?.split(':')[1];
    const reply = quoted
      ? { message_id: Number(quoted), allow_sending_without_reply: true }
      : undefined;
    try {
      const sent = message.media
        ? await this.sendMedia(message, message.media, reply)
        : await this.telegram.sendMessage(
            message.to,
            message.body,
            reply ? { reply_parameters: reply } : {},
          );
      return { channelMessageId: messageId(sent.chat.id, sent.message_id) };
    } catch (error) {
      // 400 (chat not found) and 403 (the user blocked the bot) will not change on a retry.
      if (error instanceof TelegramError && (error.code === 400 || error.code === 403)) {
        throw new PermanentDeliveryError(`Telegram refused the message: ${error.description}`);
      }
      throw error;
    }
  }

  /** Points Telegram at our webhook; Telegram sends `secret` back in a header with every update. */
  async registerWebhook(url: string, secret: string): Promise<string> {
    const me = await this.telegram.getMe();
    await this.telegram.setWebhook(url, {
      secret_token: secret,
      allowed_updates: [...ALLOWED_UPDATES],
    });
    return me.username;
  }

  async unregisterWebhook(): Promise<void> {
    await this.telegram.deleteWebhook();
  }

  private sendMedia(
    message: OutboundMessage,
    media: NonNullable<OutboundMessage['media']>,
    reply: { message_id: number; allow_sending_without_reply: boolean } | undefined,
  ) {
    const file = { source: media.path, filename: media.fileName };
    // Uploads go as multipart, where telegraf passes only a few known fields as JSON; the reply
    // goes pre-serialised so the quote is not dropped.
    const withCaption = {
      caption: message.body || undefined,
      ...(reply ? { reply_parameters: JSON.stringify(reply) as never } : {}),
    };
    const type = media.mimeType;
    if (type.startsWith('image/') && type !== 'image/gif')
      return this.telegram.sendPhoto(message.to, file, withCaption);
    if (type.startsWith('audio/ogg')) return this.telegram.sendVoice(message.to, file, withCaption);
    if (type.startsWith('audio/')) return this.telegram.sendAudio(message.to, file, withCaption);
    if (type.startsWith('video/')) return this.telegram.sendVideo(message.to, file, withCaption);
    return this.telegram.sendDocument(message.to, file, withCaption);
  }

  private async toInbound(message: AnyMessage): Promise<InboundMessage | undefined> {
    const content = await this.content(message);
    if (!content) return undefined;
    const chat = message.chat as Message['chat'] & { title?: string };
    const isGroup = chat.type === 'group' || chat.type === 'supergroup';
    const sender: { id: number; first_name: string; last_name?: string; username?: string } =
      message.from ?? {
        id: chat.id,
        first_name: chat.title ?? String(chat.id),
      };
    return {
      tenantId: this.ctx.tenantId,
      channelId: this.ctx.channelId,
      channelMessageId: messageId(chat.id, message.message_id),
      from: {
        externalId: String(sender.id),
        name: [sender.first_name, sender.last_name].filter(Boolean).join(' ') || sender.username,
      },
      group: isGroup
        ? { externalId: String(chat.id), name: chat.title ?? String(chat.id) }
        : undefined,
      quotedChannelMessageId: message.reply_to_message
        ? messageId(chat.id, message.reply_to_message.message_id)
        : undefined,
      sentAt: new Date(message.date * 1000).toISOString(),
      ...content,
    };
  }

  private async content(
    message: AnyMessage,
  ): Promise<Pick<InboundMessage, 'kind' | 'body' | 'media' | 'payload'> | undefined> {
    const caption = message.caption ?? '';
    if (message.text !== undefined) return { kind: 'text', body: message.text };
    if (message.photo) {
      const largest = message.photo[message.photo.length - 1];
      return {
        kind: 'image',
        body: caption,
        media: await this.download(
          largest.file_id,
          'image/jpeg',
          `photo-${largest.file_unique_id}.jpg`,
        ),
      };
    }
    if (message.sticker) {
      const { sticker } = message;
      const type = sticker.is_video
        ? 'video/webm'
        : sticker.is_animated
          ? 'application/x-tgsticker'
          : 'image/webp';
      return {
        kind: 'sticker',
        body: sticker.emoji ?? '',
        media: await this.download(sticker.file_id, type, `sticker-${sticker.file_unique_id}`),
      };
    }
    for (const [field, kind] of [
      ['voice', 'voice'],
      ['audio', 'audio'],
      ['video', 'video'],
      ['document', 'document'],
    ] as const) {
      const file = message[field];
      if (!file) continue;
      const fallbackName = `${field}-${file.file_unique_id}`;
      return {
        kind,
        body: caption,
        media: await this.download(
          file.file_id,
          file.mime_type ?? 'application/octet-stream',
          file.file_name ?? fallbackName,
        ),
      };
    }
    if (message.location) {
      const { latitude, longitude } = message.location;
      const name = message.venue?.title ?? null;
      return {
        kind: 'location',
        body: name ?? `${latitude}, ${longitude}`,
        payload: { latitude, longitude, name },
      };
    }
    if (message.contact) {
      const { contact } = message;
      const name = [contact.first_name, contact.last_name].filter(Boolean).join(' ');
      const vcard =
        contact.vcard ??
        `BEGIN:VCARD\nVERSION:3.0\nFN:${name}\nTEL:${contact.phone_number}\nEND:VCARD`;
      return {
        kind: 'contact',
        body: `${name} ${contact.phone_number}`.trim(),
        payload: { vcards: [vcard] },
      };
    }
    return undefined;
  }

  private async download(
    fileId: string,
    mimeType: string,
    fileName: string,
  ): Promise<InboundMedia> {
    const link = await this.telegram.getFileLink(fileId);
    // A self-hosted Bot API server in local mode answers with a path on its own disk.
    if (link.protocol === 'file:')
      return { data: await fs.promises.readFile(link), mimeType, fileName };
    const response = await fetch(link);
    if (!response.ok) throw new Error(`Telegram file download failed with HTTP ${response.status}`);
    return { data: Buffer.from(await response.arrayBuffer()), mimeType, fileName };
  }

  /** Runs a Bot API call, turning the failures that end a session into SessionEnded. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof TelegramError && error.code === 401) {
        throw new SessionEnded('disconnected', 'Telegram rejected the bot token.');
      }
      if (error instanceof TelegramError && error.code === 409) {
        throw new SessionEnded(
          'conflict',
          `Another program receives this bot's updates: ${error.description}`,
        );
      }
      if ((error as Error).name === 'AbortError') throw error;
      throw new SessionEnded('disconnected', `Telegram could not be reached: ${describe(error)}`);
    }
  }

  private state(state: SessionState, detail: { reason?: string } = {}) {
    return this.ctx.sink.state(this.ctx.tenantId, this.ctx.channelId, state, detail);
  }
}

const messageId = (chatId: number | string, id: number) => `${chatId}:${id}`;
