// A stand-in for whatsapp-web.js's Client with the library's event surface. It keeps its
// "login" where LocalAuth would (a file in the session folder), so a restarted session restores
// it and a logout forgets it, and tests drive the phone's side: scan, messages, acks, drops.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type {
  WhatsappClient,
  WhatsappClientFactory,
  WhatsappClientOptions,
  WhatsappMedia,
  WhatsappMessage,
} from '../../activities/channels/whatsapp';

export interface SentMessage {
  client: FakeWhatsappClient;
  chatId: string;
  body: string;
  media?: { mimetype: string; filename?: string | null; bytes: number };
  options: Record<string, unknown>;
  id: string;
}

export interface FakeMessageSpec {
  from: string;
  to?: string;
  author?: string;
  fromMe?: boolean;
  type?: string;
  body?: string;
  id?: string;
  media?: { mimetype: string; data: Buffer; filename?: string };
  location?: { latitude: number; longitude: number; description?: string };
  vCards?: string[];
  quotedId?: string;
  pushname?: string;
  chatName?: string;
}

let sequence = 0;
const nextId = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${(sequence += 1)}`;
const LOGIN_FILE = 'fake-login';

export class FakeWhatsappNetwork {
  readonly clients: FakeWhatsappClient[] = [];
  readonly sent: SentMessage[] = [];
  /** Makes the next `initialize` fail like a browser that cannot reach WhatsApp Web. */
  failInitialize: string | undefined;

  readonly factory: WhatsappClientFactory = (options) => {
    const client = new FakeWhatsappClient(this, options);
    this.clients.push(client);
    return client;
  };

  live(): FakeWhatsappClient[] {
    return this.clients.filter((client) => !client.destroyed);
  }

  /** Stores a login for a channel, as if its QR code had been scanned before. */
  static rememberLogin(dataDir: string, channelId: number): void {
    const dir = path.join(dataDir, 'whatsapp', `session-channel-${channelId}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, LOGIN_FILE), 'paired');
  }
}

export class FakeWhatsappClient extends EventEmitter implements WhatsappClient {
  destroyed = false;
  initialized = false;
  private connection = 'UNLAUNCHED';
  private hung = false;
  private qrCount = 0;
  private readonly sessionDir: string;

  constructor(
    private readonly network: FakeWhatsappNetwork,
    readonly options: WhatsappClientOptions,
  ) {
    super();
    this.sessionDir = path.join(options.dataPath, `session-${options.clientId}`);
  }

  get loggedIn(): boolean {
    return fs.existsSync(path.join(this.sessionDir, LOGIN_FILE));
  }

  async initialize(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (this.network.failInitialize) throw new Error(this.network.failInitialize);
    this.initialized = true;
    if (this.loggedIn) {
      this.emit('authenticated');
      this.becomeReady();
    } else {
      this.showQr();
    }
  }

  showQr(): void {
    this.qrCount += 1;
    this.emit('qr', `2@fake-qr-${this.options.clientId}-${this.qrCount}`);
  }

  /** The phone scans the QR code. */
  scanQr(): void {
    fs.mkdirSync(this.sessionDir, { recursive: true });
    fs.writeFileSync(path.join(this.sessionDir, LOGIN_FILE), 'paired');
    this.emit('authenticated');
    this.becomeReady();
  }

  receive(spec: FakeMessageSpec): FakeMessage {
    const message = new FakeMessage(spec);
    if (!message.fromMe) this.emit('message', message);
    this.emit('message_create', message);
    return message;
  }

  ack(id: string, ack: number): void {
    this.emit('message_ack', { id: { _serialized: id } }, ack);
  }

  edit(id: string, body: string): void {
    this.emit('message_edit', { id: { _serialized: id } }, body, '');
  }

  revoke(id: string): void {
    this.emit(
      'message_revoke_everyone',
      { id: { _serialized: id }, type: 'revoked' },
      { id: { _serialized: id } },
    );
  }

  /** Someone calls; resolves whether the call was rejected. */
  call(from: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.emit('call', { from, reject: async () => resolve(true) });
      setTimeout(() => resolve(false), 1_000);
    });
  }

  /** WhatsApp drops the connection, as the library reports it before destroying itself. */
  disconnect(reason = 'NAVIGATION'): void {
    this.connection = reason;
    this.emit('change_state', reason);
    this.emit('disconnected', reason);
  }

  /** The page stops answering: state probes never return. */
  hang(): void {
    this.hung = true;
  }

  async getState(): Promise<string | null> {
    if (this.hung) return new Promise(() => undefined);
    return this.connection;
  }

  async sendMessage(
    chatId: string,
    content: string | WhatsappMedia,
    options: Record<string, unknown> = {},
  ): Promise<{ id: { _serialized: string } }> {
    if (this.destroyed || this.connection !== 'CONNECTED')
      throw new Error('client is not connected');
    const id = nextId('true_' + chatId);
    const media =
      typeof content === 'string'
        ? undefined
        : {
            mimetype: content.mimetype,
            filename: content.filename,
            bytes: Buffer.from(content.data, 'base64').length,
          };
    const body = typeof content === 'string' ? content : String(options.caption ?? '');
    this.network.sent.push({ client: this, chatId, body, media, options, id });
    // WhatsApp Web reports our own message back as created, as it does for the phone's.
    this.emit(
      'message_create',
      new FakeMessage({ id, from: 'me@c.us', to: chatId, fromMe: true, body }),
    );
    return { id: { _serialized: id } };
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    this.connection = 'UNLAUNCHED';
  }

  async logout(): Promise<void> {
    fs.rmSync(this.sessionDir, { recursive: true, force: true });
    this.destroyed = true;
  }

  private becomeReady(): void {
    this.connection = 'CONNECTED';
    this.emit('ready');
  }
}

export class FakeMessage implements WhatsappMessage {
  readonly id: { _serialized: string };
  readonly from: string;
  readonly to: string;
  readonly author?: string;
  readonly fromMe: boolean;
  readonly type: string;
  readonly body: string;
  readonly timestamp = Math.floor(Date.now() / 1000);
  readonly hasMedia: boolean;
  readonly hasQuotedMsg: boolean;
  readonly location?: WhatsappMessage['location'];
  readonly vCards: string[];

  constructor(private readonly spec: FakeMessageSpec) {
    this.id = { _serialized: spec.id ?? nextId(`false_${spec.from}`) };
    this.from = spec.from;
    this.to = spec.to ?? 'me@c.us';
    this.author = spec.author;
    this.fromMe = spec.fromMe ?? false;
    this.type = spec.type ?? (spec.media ? 'image' : 'chat');
    this.body = spec.body ?? '';
    this.hasMedia = Boolean(spec.media);
    this.hasQuotedMsg = Boolean(spec.quotedId);
    this.location = spec.location;
    this.vCards = spec.vCards ?? [];
  }

  async downloadMedia() {
    const { media } = this.spec;
    return media
      ? { mimetype: media.mimetype, data: media.data.toString('base64'), filename: media.filename }
      : undefined;
  }

  async getQuotedMessage() {
    return this.spec.quotedId ? { id: { _serialized: this.spec.quotedId } } : undefined;
  }

  async getContact() {
    return { pushname: this.spec.pushname, number: (this.author ?? this.from).split('@')[0] };
  }

  async getChat() {
    return { name: this.spec.chatName ?? this.from, isGroup: this.from.endsWith('@g.us') };
  }
}
