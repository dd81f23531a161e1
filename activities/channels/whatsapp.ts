// WhatsApp through whatsapp-web.js: a Chromium page running WhatsApp Web, one per channel, with
// its login (LocalAuth) kept under DATA_DIR/whatsapp so a restart does not ask for a new QR.
import fs from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import wweb from 'whatsapp-web.js';
import type { Logger } from '../../lib/logger';
import type { MessageStatus } from '../../db/models';
import { reapBrowsers } from './chromium';
import { abortion, describe, failure, withTimeout } from './timing';
import {
  SessionEnded,
  type ChannelAdapter,
  type ChannelContext,
  type InboundMessage,
  type MessageKind,
  type OutboundMessage,
  type SendResult,
  type SessionState,
} from './types';

/** The part of whatsapp-web.js's Message this adapter reads. */
export interface WhatsappMessage {
  id: { _serialized: string };
  from: string;
  to: string;
  author?: string;
  fromMe: boolean;
  type: string;
  body: string;
  timestamp: number;
  hasMedia: boolean;
  hasQuotedMsg: boolean;
  location?: { latitude: number | string; longitude: number | string; description?: string };
  vCards: string[];
  downloadMedia(): Promise<
    { mimetype: string; data: string; filename?: string | null } | undefined
  >;
  getQuotedMessage(): Promise<{ id: { _serialized: string } } | undefined>;
  getContact(): Promise<{ pushname?: string; name?: string; number?: string }>;
  getChat(): Promise<{ name: string; isGroup: boolean }>;
}

export interface WhatsappCall {
  from?: string;
  reject(): Promise<void>;
}

export type WhatsappMedia = InstanceType<typeof wweb.MessageMedia>;

/** The part of whatsapp-web.js's Client the adapter drives; tests give it a fake. */
export interface WhatsappClient {
  on(event: string, listener: (...args: any[]) => void): unknown;
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  logout(): Promise<void>;
  getState(): Promise<string | null>;
  sendMessage(
    chatId: string,
    content: string | WhatsappMedia,
    options?: {
      quotedMessageId?: string;
      caption?: string;
      sendAudioAsVoice?: boolean;
      sendMediaAsDocument?: boolean;
    },
  ): Promise<{ id: { _serialized: string } }>;
}

export interface WhatsappClientOptions {
  /** LocalAuth's client id: the session folder is `<dataPath>/session-<clientId>`. */
  clientId: string;
  dataPath: string;
}

export type WhatsappClientFactory = (options: WhatsappClientOptions) => WhatsappClient;

export interface WhatsappOptions {
  createClient: WhatsappClientFactory;
  /** How long WhatsApp Web may take to show a QR code or restore the login. */
  connectTimeoutMs: number;
  log: Logger;
}

/** Flags for a browser on a machine that reaches nothing but WhatsApp Web. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The real client on the system Chromium, cleaning up after browsers a crashed worker left. */
export function chromiumClientFactory(executablePath: string): WhatsappClientFactory {
  return ({ clientId, dataPath }) => {
    const profileDir = path.join(dataPath, `session-${clientId}`);
    const client = new wweb.Client({
      authStrategy: new wweb.LocalAuth({ clientId, dataPath }),
      puppeteer: { executablePath, headless: true, args: CHROMIUM_ARGS },
    });
    const initialize = client.initialize.bind(client);
    const destroy = client.destroy.bind(client);
    let closing = false;

    const closeBrowser = async () => {
      const browser = client.pupBrowser;
      const child = browser?.process();
      await withTimeout(destroy(), 10_000, 'closing Chromium').catch(() => undefined);
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reapBrowsers(profileDir);
    };

    return Object.assign(client, {
      async initialize() {
        reapBrowsers(profileDir);
        fs.rmSync(path.join(profileDir, 'SingletonLock'), { force: true });
        try {
          await initialize();
        } finally {
          // A stop that arrived while the browser was still launching could not close it then.
          if (closing) await closeBrowser();
        }
      },
      async destroy() {
        closing = true;
        await closeBrowser();
      },
    }) as unknown as WhatsappClient;
  };
}

const ACK_STATUS: Record<number, MessageStatus> = {
  [-1]: 'failed',
  1: 'sent',
  2: 'delivered',
  3: 'read',
  4: 'read',
};

const KINDS: Record<string, MessageKind> = {
  chat: 'text',
  image: 'image',
  video: 'video',
  audio: 'audio',
  ptt: 'voice',
  document: 'document',
  sticker: 'sticker',
  location: 'location',
  vcard: 'contact',
  multi_vcard: 'contact',
};

const MAX_REMEMBERED_SENDS = 500;

/** WhatsApp's connection states that mean the phone must act (or someone else took over). */
const STATE_NAMES: Record<string, SessionState> = { CONFLICT: 'conflict', TIMEOUT: 'timeout' };

export class WhatsappAdapter implements ChannelAdapter {
  readonly type = 'whatsapp' as const;
  private client: WhatsappClient | undefined;
  private ready = false;
  /** Sends in flight and ids we sent, so `message_create` echoes of our own sends are not stored. */
  private readonly sending = new Set<Promise<unknown>>();
  private readonly sentIds = new Set<string>();

  constructor(
    private readonly ctx: ChannelContext,
    private readonly options: WhatsappOptions,
  ) {}

  /** The session folder of this channel; removing it forgets the login. */
  get sessionDir(): string {
    return whatsappSessionDir(this.ctx.dataDir, this.ctx.channelId);
  }

  async start(signal: AbortSignal): Promise<void> {
    const client = this.options.createClient({
      clientId: whatsappClientId(this.ctx.channelId),
      dataPath: path.join(this.ctx.dataDir, 'whatsapp'),
    });
    this.client = client;
    const ended = failure();
    const end = (state: SessionState, reason: string) =>
      ended.fail(new SessionEnded(state, reason));
    this.listen(client, end);

    const seconds = Math.round(this.options.connectTimeoutMs / 1000);
    const deadline = setTimeout(
      () =>
        end(
          'timeout',
          `WhatsApp Web did not show a QR code or restore the login within ${seconds} s.`,
        ),
      this.options.connectTimeoutMs,
    );
    client.on('qr', () => clearTimeout(deadline));
    client.on('authenticated', () => clearTimeout(deadline));

    try {
      await this.state('opening');
      client.initialize().catch((error: unknown) => {
        end('disconnected', `WhatsApp Web could not be opened: ${describe(error)}`);
      });
      await Promise.race([ended.promise, abortion(signal)]);
    } finally {
      clearTimeout(deadline);
      this.ready = false;
      this.client = undefined;
      await client
        .destroy()
        .catch((error) =>
          this.options.log.warn({ err: error }, 'whatsapp client did not close cleanly'),
        );
    }
  }

  async probe(): Promise<string> {
    if (!this.client || !this.ready) return 'starting';
    return (await this.client.getState()) ?? 'unknown';
  }

  async logout(): Promise<void> {
    const client = this.client;
    if (client && this.ready) await client.logout();
    fs.rmSync(this.sessionDir, { recursive: true, force: true });
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const client = this.client;
    if (!client || !this.ready)
      throw new Error('WhatsApp is not connected; the message waits for the session.');
    const media = message.media
      ? new wweb.MessageMedia(
          message.media.mimeType,
          (await fs.promises.readFile(message.media.path)).toString('base64'),
          message.media.fileName,
        )
      : undefined;
    const options = {
      quotedMessageId: message.quotedChannelMessageId,
      ...(media ? mediaOptions(message.media!.mimeType, message.body) : {}),
    };

    const sending = client.sendMessage(message.to, media ?? message.body, options);
    this.sending.add(sending);
    try {
      const sent = await sending;
      this.rememberSent(sent.id._serialized);
      return { channelMessageId: sent.id._serialized };
    } finally {
      this.sending.delete(sending);
    }
  }

  private rememberSent(id: string) {
    this.sentIds.add(id);
    if (this.sentIds.size > MAX_REMEMBERED_SENDS) {
      this.sentIds.delete(this.sentIds.values().next().value as string);
    }
  }

  /**
   * Events are handled one after another, in the order WhatsApp emitted them, so a status never
   * overtakes the one before it and an edit never arrives before the message it changes.
   */
  private listen(client: WhatsappClient, end: (state: SessionState, reason: string) => void) {
    const { log } = this.options;
    let queue = Promise.resolve();
    const on = (event: string, handler: (...args: any[]) => Promise<void>) =>
      client.on(event, (...args: any[]) => {
        queue = queue
          .then(() => handler(...args))
          .catch((error) => log.error({ err: error, event }, 'whatsapp event was not handled'));
      });

    on('qr', async (qr: string) => this.state('qrcode', { qr: await QRCode.toDataURL(qr) }));
    on('authenticated', () => this.state('authenticated'));
    on('ready', async () => {
      this.ready = true;
      await this.state('connected');
    });
    on('auth_failure', async (reason: string) => {
      fs.rmSync(this.sessionDir, { recursive: true, force: true });
      end('disconnected', `WhatsApp refused the stored login (${reason}); scan a new QR code.`);
    });
    on('change_state', async (state: string) => {
      if (STATE_NAMES[state])
        await this.state(STATE_NAMES[state], { reason: `WhatsApp reports ${state}` });
    });
    on('disconnected', async (reason: string) => {
      const state = STATE_NAMES[reason] ?? 'disconnected';
      end(
        state,
        reason === 'LOGOUT'
          ? 'The phone logged this session out.'
          : `WhatsApp disconnected: ${reason}`,
      );
    });
    on('message', (message: WhatsappMessage) => this.inbound(message));
    on('message_create', async (message: WhatsappMessage) => {
      if (!message.fromMe) return;
      await Promise.allSettled([...this.sending]);
      if (this.sentIds.delete(message.id._serialized)) return;
      await this.inbound(message);
    });
    on('message_ack', async (message: WhatsappMessage, ack: number) => {
      const status = ACK_STATUS[ack];
      if (status)
        await this.update({ type: 'status', channelMessageId: message.id._serialized, status });
    });
    on('message_edit', async (message: WhatsappMessage, newBody: string) =>
      this.update({
        type: 'edit',
        channelMessageId: message.id._serialized,
        body: String(newBody),
      }),
    );
    on('message_revoke_everyone', async (after: WhatsappMessage, before?: WhatsappMessage) =>
      this.update({ type: 'delete', channelMessageId: (before ?? after).id._serialized }),
    );
    on('call', (call: WhatsappCall) => this.rejectCall(call));
  }

  private async inbound(message: WhatsappMessage): Promise<void> {
    const kind = KINDS[message.type];
    if (!kind || message.from === 'status@broadcast') return;

    const chatId = message.fromMe ? message.to : message.from;
    const isGroup = chatId.endsWith('@g.us');
    const contact = await message.getContact();
    const chat = isGroup ? await message.getChat() : undefined;
    const senderId = message.fromMe ? chatId : (message.author ?? message.from);
    const quoted = message.hasQuotedMsg ? await message.getQuotedMessage() : undefined;

    const inbound: InboundMessage = {
      tenantId: this.ctx.tenantId,
      channelId: this.ctx.channelId,
      channelMessageId: message.id._serialized,
      from: {
        externalId: senderId,
        name: message.fromMe ? undefined : contact.pushname || contact.name,
        phone: isGroup ? undefined : phoneOf(senderId),
      },
      group: chat ? { externalId: chatId, name: chat.name } : undefined,
      kind,
      ...describeContent(kind, message),
      media: message.hasMedia ? await download(message, kind) : undefined,
      quotedChannelMessageId: quoted?.id._serialized,
      fromMe: message.fromMe,
      sentAt: new Date(message.timestamp * 1000).toISOString(),
    };
    await this.ctx.sink.inbound(inbound);
  }

  private async rejectCall(call: WhatsappCall): Promise<void> {
    const { rejectCalls, rejectCallMessage } = this.ctx.config as {
      rejectCalls?: boolean;
      rejectCallMessage?: string;
    };
    if (!rejectCalls) return;
    await call.reject();
    if (rejectCallMessage && call.from) await this.send({ to: call.from, body: rejectCallMessage });
  }

  private update(update: Parameters<ChannelContext['sink']['update']>[2]) {
    return this.ctx.sink.update(this.ctx.tenantId, this.ctx.channelId, update);
  }

  private state(state: SessionState, detail: { qr?: string; reason?: string } = {}) {
    return this.ctx.sink.state(this.ctx.tenantId, this.ctx.channelId, state, detail);
  }
}

export const whatsappClientId = (channelId: number) => `channel-${channelId}`;

export const whatsappSessionDir = (dataDir: string, channelId: number) =>
  path.join(dataDir, 'whatsapp', `session-${whatsappClientId(channelId)}`);

function describeContent(
  kind: MessageKind,
  message: WhatsappMessage,
): Pick<InboundMessage, 'body' | 'payload'> {
  if (kind === 'location' && message.location) {
    const { latitude, longitude, description } = message.location;
    return {
      body: description || `${latitude}, ${longitude}`,
      payload: {
        latitude: Number(latitude),
        longitude: Number(longitude),
        name: description ?? null,
      },
    };
  }
  if (kind === 'contact') {
    const vcards = message.vCards.length ? message.vCards : [message.body];
    const names = vcards.map((card) => /^FN:(.*)$/m.exec(card)?.[1]?.trim()).filter(Boolean);
    return { body: names.join(', '), payload: { vcards } };
  }
  // Media bodies hold the caption; a media message without one has an empty body.
  return { body: kind === 'text' || message.hasMedia ? message.body : '' };
}

async function download(message: WhatsappMessage, kind: MessageKind) {
  const media = await message.downloadMedia();
  if (!media) return undefined;
  const extension = media.mimetype.split('/')[1]?.split(';')[0] ?? 'bin';
  return {
    data: Buffer.from(media.data, 'base64'),
    mimeType: media.mimetype.split(';')[0],
    fileName: media.filename || `${kind}-${message.timestamp}.${extension}`,
  };
}

function mediaOptions(mimeType: string, caption: string) {
  const visual = mimeType.startsWith('image/') || mimeType.startsWith('video/');
  return {
    caption: caption || undefined,
    sendAudioAsVoice: mimeType.startsWith('audio/ogg'),
    sendMediaAsDocument: !visual && !mimeType.startsWith('audio/'),
  };
}

const phoneOf = (jid: string) => (jid.endsWith('@c.us') ? jid.split('@')[0] : undefined);
