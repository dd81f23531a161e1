// Messenger and Instagram through Meta's Graph API: webhook events in, the Send API out. People
// are known by page-scoped ids; their names come from the Graph profile, cached for a while.
import fs from 'node:fs';
import { hmacSha256, safeEqual } from '../../lib/crypto';
import { PermanentDeliveryError } from '../delivery';
import type { MessageStatus } from '../../db/models';
import type {
  ChannelAdapter,
  ChannelContext,
  InboundMedia,
  InboundMessage,
  MessageKind,
  OutboundMessage,
  SendResult,
} from './types';

export const DEFAULT_GRAPH_API_URL = 'https://graph.facebook.com/v26.0';

export interface MetaConfig {
  pageId: string;
  pageAccessToken: string;
  appSecret: string;
  verifyToken: string;
  graphApiUrl?: string;
}

/** One `entry` of a webhook payload: the events of one page (or Instagram account). */
export interface MetaEntry {
  id: string;
  time?: number;
  messaging?: MetaEvent[];
}

interface MetaAttachment {
  type: string;
  payload?: { url?: string; title?: string; coordinates?: { lat: number; long: number } };
}

interface MetaEvent {
  sender: { id: string };
  recipient: { id: string };
  timestamp?: number;
  message?: {
    mid: string;
    text?: string;
    is_echo?: boolean;
    is_deleted?: boolean;
    attachments?: MetaAttachment[];
    reply_to?: { mid?: string };
  };
  message_edit?: { mid: string; text: string };
  delivery?: { mids?: string[] };
  read?: { mid?: string; watermark?: number };
}

/** Checks `X-Hub-Signature-256` against the raw body; nothing is parsed before this passes. */
export function validMetaSignature(
  rawBody: Buffer,
  header: string | undefined,
  appSecret: string,
): boolean {
  if (!header?.startsWith('sha256=')) return false;
  return safeEqual(header.slice('sha256='.length), hmacSha256(appSecret, rawBody));
}

/** Graph's error subcode when the 24-hour window after the customer's last message has closed. */
const OUTSIDE_WINDOW_SUBCODE = 2018278;
const PROFILE_TTL_MS = 60 * 60_000;
const profiles = new Map<string, { name?: string; avatarUrl?: string; at: number }>();

const ATTACHMENT_KINDS: Record<string, MessageKind> = {
  image: 'image',
  audio: 'audio',
  video: 'video',
  file: 'document',
  sticker: 'sticker',
};

export class MetaAdapter implements ChannelAdapter {
  private readonly config: MetaConfig;
  private readonly graph: string;

  constructor(
    readonly type: 'messenger' | 'instagram',
    private readonly ctx: ChannelContext,
  ) {
    this.config = ctx.config as unknown as MetaConfig;
    this.graph = (this.config.graphApiUrl ?? DEFAULT_GRAPH_API_URL).replace(/\/+$/, '');
  }

  async receive(event: unknown): Promise<void> {
    const entry = event as MetaEntry;
    for (const item of entry.messaging ?? []) {
      if (item.message?.is_echo) continue;
      if (item.message?.is_deleted) {
        await this.update({ type: 'delete', channelMessageId: item.message.mid });
      } else if (item.message) {
        await this.ctx.sink.inbound(await this.toInbound(item, item.message));
      } else if (item.message_edit) {
        await this.update({
          type: 'edit',
          channelMessageId: item.message_edit.mid,
          body: item.message_edit.text,
        });
      } else if (item.delivery) {
        for (const mid of item.delivery.mids ?? []) await this.status(mid, 'delivered');
      } else if (item.read?.mid) {
        await this.status(item.read.mid, 'read');
      }
    }
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const recipient = JSON.stringify({ id: message.to });
    const replyTo = message.quotedChannelMessageId
      ? { reply_to: { mid: message.quotedChannelMessageId } }
      : {};
    let result: { message_id: string };
    if (message.media) {
      // Graph takes one attachment per message, so a caption travels as a text message after it.
      const form = new FormData();
      form.set('recipient', recipient);
      form.set('messaging_type', 'RESPONSE');
      form.set(
        'message',
        JSON.stringify({
          attachment: {
            type: attachmentType(message.media.mimeType),
            payload: { is_reusable: false },
          },
          ...replyTo,
        }),
      );
      const file = await fs.promises.readFile(message.media.path);
      form.set(
        'filedata',
        new Blob([file], { type: message.media.mimeType }),
        message.media.fileName,
      );
      result = await this.call('POST', `/${this.config.pageId}/messages`, form);
      if (message.body) {
        result = await this.call('POST', `/${this.config.pageId}/messages`, {
          recipient: { id: message.to },
          messaging_type: 'RESPONSE',
          message: { text: message.body },
        });
      }
    } else {
      result = await this.call('POST', `/${this.config.pageId}/messages`, {
        recipient: { id: message.to },
        messaging_type: 'RESPONSE',
        message: { text: message.body, ...replyTo },
      });
    }
    return { channelMessageId: result.message_id };
  }

  /** Checks the page token and subscribes the page to the events we handle. */
  async connect(): Promise<string> {
    const page = await this.call<{ name?: string; username?: string }>(
      'GET',
      `/${this.config.pageId}?fields=name`,
    );
    if (this.type === 'messenger') {
      const fields = 'messages,message_deliveries,message_reads,message_edits';
      await this.call(
        'POST',
        `/${this.config.pageId}/subscribed_apps?subscribed_fields=${fields}`,
        {},
      );
    }
    return page.name ?? page.username ?? this.config.pageId;
  }

  private async toInbound(
    item: MetaEvent,
    message: NonNullable<MetaEvent['message']>,
  ): Promise<InboundMessage> {
    const attachment = message.attachments?.[0];
    const profile = await this.profile(item.sender.id);
    return {
      tenantId: this.ctx.tenantId,
      channelId: this.ctx.channelId,
      channelMessageId: message.mid,
      from: { externalId: item.sender.id, name: profile.name, avatarUrl: profile.avatarUrl },
      quotedChannelMessageId: message.reply_to?.mid,
      sentAt: item.timestamp ? new Date(item.timestamp).toISOString() : undefined,
      ...(attachment
        ? await this.attachmentContent(attachment, message.text ?? '')
        : { kind: 'text', body: message.text ?? '' }),
    };
  }

  private async attachmentContent(
    attachment: MetaAttachment,
    text: string,
  ): Promise<Pick<InboundMessage, 'kind' | 'body' | 'media' | 'payload'>> {
    const coordinates = attachment.payload?.coordinates;
    if (attachment.type === 'location' && coordinates) {
      const name = attachment.payload?.title ?? null;
      return {
        kind: 'location',
        body: name ?? `${coordinates.lat}, ${coordinates.long}`,
        payload: { latitude: coordinates.lat, longitude: coordinates.long, name },
      };
    }
    const kind = ATTACHMENT_KINDS[attachment.type];
    const url = attachment.payload?.url;
    if (!kind || !url) return { kind: 'text', body: text || url || `[${attachment.type}]` };
    return { kind, body: text, media: await download(url, kind) };
  }

  /** The person's name and picture; a failed lookup leaves them unnamed rather than losing the message. */
  private async profile(id: string): Promise<{ name?: string; avatarUrl?: string }> {
    const key = `${this.ctx.channelId}:${id}`;
    const cached = profiles.get(key);
    if (cached && Date.now() - cached.at < PROFILE_TTL_MS) return cached;
    const fields =
      this.type === 'messenger' ? 'first_name,last_name,profile_pic' : 'name,username,profile_pic';
    const found = await this.call<Record<string, string>>('GET', `/${id}?fields=${fields}`).catch(
      () => undefined,
    );
    const name = found
      ? [found.first_name, found.last_name].filter(Boolean).join(' ') ||
        found.name ||
        found.username
      : undefined;
    const profile = { name, avatarUrl: found?.profile_pic, at: Date.now() };
    profiles.set(key, profile);
    return profile;
  }

  private async call<T = { message_id: string }>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const response = await fetch(this.graph + path, {
      method,
      headers: {
        authorization: `Bearer ${this.config.pageAccessToken}`,
        ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
      },
      body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => ({}))) as { error?: GraphError } & T;
    if (response.ok && !answer.error) return answer;
    throw graphFailure(response.status, answer.error);
  }

  private status(channelMessageId: string, status: MessageStatus) {
    return this.update({ type: 'status', channelMessageId, status });
  }

  private update(update: Parameters<ChannelContext['sink']['update']>[2]) {
    return this.ctx.sink.update(this.ctx.tenantId, this.ctx.channelId, update);
  }
}

interface GraphError {
  message?: string;
  code?: number;
  error_subcode?: number;
}

function graphFailure(status: number, error: GraphError | undefined): Error {
  const detail = error?.message ?? `HTTP ${status}`;
  if (error?.error_subcode === OUTSIDE_WINDOW_SUBCODE) {
    return new PermanentDeliveryError(
      'The 24-hour window to answer this person has closed; they must write again before you can reply.',
    );
  }
  // Client errors (bad recipient, blocked, permissions) will fail again the same way.
  if (status >= 400 && status < 500 && status !== 429) {
    return new PermanentDeliveryError(`Meta refused the message: ${detail}`);
  }
  return new Error(`Graph API call failed: ${detail}`);
}

function attachmentType(mimeType: string): string {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (mimeType.startsWith('video/')) return 'video';
  return 'file';
}

async function download(url: string, kind: MessageKind): Promise<InboundMedia> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Attachment download failed with HTTP ${response.status}`);
  const mimeType =
    response.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream';
  const name = new URL(url).pathname.split('/').pop() || kind;
  return { data: Buffer.from(await response.arrayBuffer()), mimeType, fileName: name };
}
