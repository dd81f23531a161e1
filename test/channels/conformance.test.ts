// The same cases against every channel adapter: each network is a local fake that speaks its
// real protocol (or, for WhatsApp, the library's event surface), and the adapter's output is
// what reaches the ingest path or the network.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MetaAdapter } from '../../activities/channels/meta';
import { TelegramAdapter } from '../../activities/channels/telegram';
import type { ChannelAdapter, ChannelContext } from '../../activities/channels/types';
import { WebchatAdapter } from '../../activities/channels/webchat';
import { WhatsappAdapter } from '../../activities/channels/whatsapp';
import { createLogger } from '../../lib/logger';
import { FakeGraphServer } from '../fakes/graph-server';
import { FakeTelegramServer } from '../fakes/telegram-server';
import { FakeWhatsappNetwork, type FakeWhatsappClient } from '../fakes/whatsapp-client';
import { eventually, RecordingSink } from './support';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

/** How a test acts as the network around one adapter. */
interface Network {
  adapter: ChannelAdapter;
  sink: RecordingSink;
  /** The identity a person has on this network, as messages are addressed to them. */
  person: string;
  text(body: string): Promise<string>;
  image(caption: string): Promise<string>;
  location(latitude: number, longitude: number): Promise<string>;
  reply(body: string, quotedId: string): Promise<string>;
  edit?(id: string, body: string): Promise<void>;
  delivered?(id: string): Promise<void>;
  sentTexts(): { to: string; body: string }[];
  sentFiles(): { to: string; name: string }[];
  close(): Promise<void>;
}

interface Harness {
  name: string;
  inbound: boolean;
  open(): Promise<Network>;
}

let dataDir: string;
let telegramServer: FakeTelegramServer;
let graphServer: FakeGraphServer;
let fileToSend: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktickets-conformance-'));
  fileToSend = path.join(dataDir, 'invoice.pdf');
  fs.writeFileSync(fileToSend, '%PDF-1.4 test');
  telegramServer = await new FakeTelegramServer().start();
  graphServer = await new FakeGraphServer().start();
});

afterAll(async () => {
  await telegramServer?.stop();
  await graphServer?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

let channelSeq = 0;
function context(
  type: ChannelContext['type'],
  config: Record<string, unknown>,
  sink: RecordingSink,
): ChannelContext {
  channelSeq += 1;
  return { tenantId: 1, channelId: channelSeq, type, config, dataDir, sink };
}

const whatsapp: Harness = {
  name: 'whatsapp',
  inbound: true,
  async open() {
    const network = new FakeWhatsappNetwork();
    const sink = new RecordingSink();
    const adapter = new WhatsappAdapter(context('whatsapp', {}, sink), {
      createClient: network.factory,
      connectTimeoutMs: 10_000,
      log: createLogger('silent'),
    });
    const abort = new AbortController();
    const running = adapter.start(abort.signal);
    const client: FakeWhatsappClient = await eventually('the client to show a QR code', () =>
      sink.lastState() === 'qrcode' ? network.clients[0] : undefined,
    );
    client.scanQr();
    await eventually('the session to connect', () => sink.lastState() === 'connected');
    const person = '5511988887777@c.us';
    const deliver = async (spec: Parameters<FakeWhatsappClient['receive']>[0]) =>
      client.receive(spec).id._serialized;
    return {
      adapter,
      sink,
      person,
      text: (body) => deliver({ from: person, body, pushname: 'Ana' }),
      image: (caption) =>
        deliver({
          from: person,
          body: caption,
          media: { mimetype: 'image/png', data: PNG, filename: 'photo.png' },
        }),
      location: (latitude, longitude) =>
        deliver({ from: person, type: 'location', location: { latitude, longitude } }),
      reply: (body, quotedId) => deliver({ from: person, body, quotedId }),
      edit: async (id, body) => client.edit(id, body),
      delivered: async (id) => client.ack(id, 2),
      sentTexts: () =>
        network.sent
          .filter((sent) => !sent.media)
          .map((sent) => ({ to: sent.chatId, body: sent.body })),
      sentFiles: () =>
        network.sent
          .filter((sent) => sent.media)
          .map((sent) => ({ to: sent.chatId, name: sent.media!.filename ?? '' })),
      close: async () => {
        abort.abort();
        await running;
      },
    };
  },
};

const telegram: Harness = {
  name: 'telegram',
  inbound: true,
  async open() {
    const token = `${channelSeq + 100}:conformance-${Date.now()}`;
    telegramServer.addBot(token, 'conformance_bot');
    const sink = new RecordingSink();
    const adapter = new TelegramAdapter(
      context('telegram', { token, apiRoot: telegramServer.url }, sink),
    );
    const abort = new AbortController();
    const running = adapter.start(abort.signal);
    await eventually('polling to start', () => sink.lastState() === 'connected');
    const chatId = 4242;
    const deliver = async (fields: Record<string, unknown>) => {
      const message = telegramServer.message(chatId, fields);
      telegramServer.pushUpdate(token, { message });
      return `${chatId}:${message.message_id}`;
    };
    return {
      adapter,
      sink,
      person: String(chatId),
      text: (text) => deliver({ text }),
      image: (caption) => {
        const fileId = telegramServer.putFile(token, PNG, 'photo.png');
        return deliver({
          caption,
          photo: [{ file_id: fileId, file_unique_id: 'u1', width: 1, height: 1 }],
        });
      },
      location: (latitude, longitude) => deliver({ location: { latitude, longitude } }),
      reply: (text, quotedId) =>
        deliver({
          text,
          reply_to_message: {
            message_id: Number(quotedId.split(':')[1]),
            date: 0,
            chat: { id: chatId, type: 'private' },
          },
        }),
      edit: async (id, text) => {
        const [chat, messageId] = id.split(':').map(Number);
        telegramServer.pushUpdate(token, {
          edited_message: {
            ...telegramServer.message(chat, { text }),
            message_id: messageId,
            edit_date: 1,
          },
        });
      },
      sentTexts: () =>
        telegramServer
          .bot(token)
          .sent.filter((sent) => sent.method === 'sendMessage')
          .map((sent) => ({ to: sent.chatId, body: sent.text ?? '' })),
      sentFiles: () =>
        telegramServer
          .bot(token)
          .sent.filter((sent) => sent.file)
          .map((sent) => ({ to: sent.chatId, name: sent.file!.name })),
      close: async () => {
        abort.abort();
        await running;
      },
    };
  },
};

function meta(type: 'messenger' | 'instagram'): Harness {
  return {
    name: type,
    inbound: true,
    async open() {
      const pageId = `page-${type}-${Date.now()}`;
      const token = `token-${pageId}`;
      graphServer.addPage(pageId, token, `Page ${type}`);
      const person = `psid-${pageId}`;
      graphServer.profiles.set(
        person,
        type === 'messenger' ? { first_name: 'Ana', last_name: 'Lima' } : { name: 'Ana Lima' },
      );
      const sink = new RecordingSink();
      const config = {
        pageId,
        pageAccessToken: token,
        appSecret: 's',
        verifyToken: 'v',
        graphApiUrl: graphServer.url,
      };
      const adapter = new MetaAdapter(type, context(type, config, sink));
      let mid = 0;
      const deliver = async (event: Record<string, unknown>) => {
        await adapter.receive({
          id: pageId,
          messaging: [
            { sender: { id: person }, recipient: { id: pageId }, timestamp: Date.now(), ...event },
          ],
        });
      };
      const message = async (fields: Record<string, unknown>) => {
        const id = `mid.${pageId}.${(mid += 1)}`;
        await deliver({ message: { mid: id, ...fields } });
        return id;
      };
      return {
        adapter,
        sink,
        person,
        text: (text) => message({ text }),
        image: (text) => {
          const url = graphServer.hostFile(`photo-${pageId}.png`, 'image/png', PNG);
          return message({ text, attachments: [{ type: 'image', payload: { url } }] });
        },
        location: (lat, long) =>
          message({ attachments: [{ type: 'location', payload: { coordinates: { lat, long } } }] }),
        reply: (text, quoted) => message({ text, reply_to: { mid: quoted } }),
        edit: async (id, text) => deliver({ message_edit: { mid: id, text } }),
        delivered: async (id) => deliver({ delivery: { mids: [id] } }),
        sentTexts: () =>
          graphServer.sent
            .filter((sent) => sent.pageId === pageId && sent.message.text)
            .map((sent) => ({ to: sent.recipientId, body: sent.message.text })),
        sentFiles: () =>
          graphServer.sent
            .filter((sent) => sent.pageId === pageId && sent.file)
            .map((sent) => ({ to: sent.recipientId, name: sent.file!.name })),
        close: async () => undefined,
      };
    },
  };
}

const webchat: Harness = {
  name: 'webchat',
  inbound: false,
  async open() {
    const notified: string[] = [];
    const adapter = new WebchatAdapter((visitorId) => notified.push(visitorId));
    const sent: { to: string; body: string }[] = [];
    return {
      adapter: {
        type: adapter.type,
        send: async (message) => {
          const result = await adapter.send(message);
          if (notified.at(-1) === message.to) sent.push({ to: message.to, body: message.body });
          return result;
        },
      },
      sink: new RecordingSink(),
      person: 'visitor-1',
      text: async () => '',
      image: async () => '',
      location: async () => '',
      reply: async () => '',
      sentTexts: () => sent,
      sentFiles: () => [],
      close: async () => undefined,
    };
  },
};

describe.each([whatsapp, telegram, meta('messenger'), meta('instagram'), webchat])(
  '$name adapter',
  (harness) => {
    let network: Network;
    beforeEach(async () => {
      network = await harness.open();
    });
    afterEach(() => network.close());

    it('sends text to the person and answers the network message id', async () => {
      const result = await network.adapter.send({ to: network.person, body: 'Hello from support' });
      expect(result.channelMessageId).toEqual(expect.any(String));
      expect(network.sentTexts()).toContainEqual({
        to: network.person,
        body: 'Hello from support',
      });
    });

    it.runIf(harness.inbound)('sends a file', async () => {
      await network.adapter.send({
        to: network.person,
        body: '',
        media: { path: fileToSend, mimeType: 'application/pdf', fileName: 'invoice.pdf' },
      });
      expect(network.sentFiles()).toContainEqual({ to: network.person, name: 'invoice.pdf' });
    });

    it.runIf(harness.inbound)(
      'hands an inbound text to the ingest path, once per network message id',
      async () => {
        const id = await network.text('Hi, I need help');
        const stored = await eventually('the message to reach the sink', () =>
          network.sink.inbounds.find((message) => message.channelMessageId === id),
        );
        expect(stored).toMatchObject({
          kind: 'text',
          body: 'Hi, I need help',
          from: { externalId: network.person },
        });
        expect(stored.from.name).toMatch(/Ana/);
      },
    );

    it.runIf(harness.inbound)('downloads inbound media with its type and caption', async () => {
      const id = await network.image('my receipt');
      const stored = await eventually('the image to reach the sink', () =>
        network.sink.inbounds.find((message) => message.channelMessageId === id),
      );
      expect(stored).toMatchObject({ kind: 'image', body: 'my receipt' });
      expect(stored.media?.data.equals(PNG)).toBe(true);
      expect(stored.media?.mimeType).toMatch(/^image\//);
    });

    it.runIf(harness.inbound)('maps a shared location', async () => {
      const id = await network.location(-23.55, -46.63);
      const stored = await eventually('the location to reach the sink', () =>
        network.sink.inbounds.find((message) => message.channelMessageId === id),
      );
      expect(stored).toMatchObject({
        kind: 'location',
        payload: { latitude: -23.55, longitude: -46.63 },
      });
    });

    it.runIf(harness.inbound)('links a reply to the message it quotes', async () => {
      const first = await network.text('first');
      const id = await network.reply('answering that', first);
      const stored = await eventually('the reply to reach the sink', () =>
        network.sink.inbounds.find((message) => message.channelMessageId === id),
      );
      expect(stored.quotedChannelMessageId).toBe(first);
    });

    it.runIf(harness.inbound)('reflects an edit on the stored message', async () => {
      const id = await network.text('helo');
      await network.edit!(id, 'hello');
      await eventually('the edit to reach the sink', () =>
        network.sink.updates.find(
          (update) =>
            update.type === 'edit' && update.channelMessageId === id && update.body === 'hello',
        ),
      );
    });

    it.runIf(['whatsapp', 'messenger', 'instagram'].includes(harness.name))(
      'maps delivery receipts to message status',
      async () => {
        const { channelMessageId } = await network.adapter.send({
          to: network.person,
          body: 'tracked',
        });
        await network.delivered!(channelMessageId);
        await eventually('the receipt to reach the sink', () =>
          network.sink.updates.find(
            (update) =>
              update.type === 'status' &&
              update.channelMessageId === channelMessageId &&
              update.status === 'delivered',
          ),
        );
      },
    );
  },
);
