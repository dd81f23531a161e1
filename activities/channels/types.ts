// The one interface every channel adapter implements. Adapters translate between a network's
// SDK or HTTP API and the product's inbound/outbound message shapes; they never touch the
// database themselves: inbound events go to the ingest path, statuses to the status sink.
import type { ChannelType, MessageStatus } from '../../db/models';

export type MessageKind =
  | 'text'
  | 'image'
  | 'audio'
  | 'voice'
  | 'video'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contact'
  | 'system';

export interface InboundMedia {
  data: Buffer;
  mimeType: string;
  fileName: string;
}

/** A message as a channel delivered it, before the product has seen it. */
export interface InboundMessage {
  tenantId: number;
  channelId: number;
  /** Unique per channel; a redelivery with the same id is stored once. */
  channelMessageId: string;
  /** The person who wrote, by their identity on this channel. */
  from: { externalId: string; name?: string; phone?: string; avatarUrl?: string };
  /** Set for group chats: the ticket belongs to the group, not to the member. */
  group?: { externalId: string; name: string };
  kind: MessageKind;
  body: string;
  media?: InboundMedia;
  /** Location `{latitude, longitude, name?}`, vCard `{vcard}`, and other kind-specific data. */
  payload?: Record<string, unknown>;
  quotedChannelMessageId?: string;
  /** Written by the company itself from another device (e.g. the phone): stored as outbound. */
  fromMe?: boolean;
  sentAt?: string;
}

/** Later news about a message the channel already carried. */
export type MessageUpdate =
  | { type: 'status'; channelMessageId: string; status: MessageStatus; error?: string }
  | { type: 'edit'; channelMessageId: string; body: string }
  | { type: 'delete'; channelMessageId: string };

export interface OutboundMessage {
  /** The contact's identity on this channel (chat id, phone JID, page-scoped id, visitor id). */
  to: string;
  body: string;
  media?: { path: string; mimeType: string; fileName: string };
  quotedChannelMessageId?: string;
}

export interface SendResult {
  channelMessageId: string;
}

/** What an adapter hands events to. Implemented by the ingest module. */
export interface ChannelSink {
  inbound(message: InboundMessage): Promise<unknown>;
  update(tenantId: number, channelId: number, update: MessageUpdate): Promise<void>;
  /** Connection state changes (qrcode, connected, …) with an optional QR payload. */
  state(tenantId: number, channelId: number, state: string, detail?: { qr?: string; reason?: string }): Promise<void>;
}

export interface ChannelContext {
  tenantId: number;
  channelId: number;
  type: ChannelType;
  /** Non-secret settings merged with the decrypted secrets. */
  config: Record<string, unknown>;
  dataDir: string;
  sink: ChannelSink;
}

/** Connection states a session reports; the web app shows them on the channel. */
export type SessionState =
  | 'opening'
  | 'qrcode'
  | 'authenticated'
  | 'connected'
  | 'disconnected'
  | 'timeout'
  | 'conflict'
  | 'stopped';

/** Why a live session ended by itself; the supervisor shows it and starts a new one later. */
export class SessionEnded extends Error {
  constructor(
    readonly state: SessionState,
    message: string,
  ) {
    super(message);
    this.name = 'SessionEnded';
  }
}

export interface ChannelAdapter {
  readonly type: ChannelType;
  /**
   * Runs the channel's live session (WhatsApp, Telegram polling): resolves once `signal` aborts
   * and the client is torn down, rejects with SessionEnded when the session ends by itself.
   */
  start?(signal: AbortSignal): Promise<void>;
  /** Asks the live client for its state; a watchdog calls it to notice a hung client. */
  probe?(): Promise<string>;
  /** Unlinks the session at the network and forgets its stored credentials. */
  logout?(): Promise<void>;
  /** Maps one event the network pushed to us (a webhook payload) to the sink. */
  receive?(event: unknown): Promise<void>;
  send(message: OutboundMessage): Promise<SendResult>;
}
