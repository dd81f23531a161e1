// A local Telegram Bot API server speaking the real HTTP protocol (`/bot<token>/<method>`,
// `{ok, result}` answers, long-polled getUpdates, multipart uploads, `/file/bot<token>/…`), so
// telegraf talks to it exactly as it would to api.telegram.org.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import multer from 'multer';

export interface SentByBot {
  method: string;
  chatId: string;
  text?: string;
  caption?: string;
  file?: { name: string; size: number };
  replyTo?: number;
  messageId: number;
}

interface Bot {
  token: string;
  username: string;
  updates: Record<string, unknown>[];
  nextUpdateId: number;
  webhook?: { url: string; secret?: string };
  sent: SentByBot[];
  blocked: Set<string>;
  files: Map<string, { path: string; data: Buffer }>;
  /** The long poll waiting now; a newer getUpdates ends it with 409, as Telegram does. */
  waiting?: { wake: () => void; conflict: () => void; gone: () => void };
  polls: number;
}

let messageCounter = 1000;

export class FakeTelegramServer {
  private readonly bots = new Map<string, Bot>();
  private server: http.Server | undefined;
  url = '';

  async start(): Promise<this> {
    const app = express();
    const upload = multer({ storage: multer.memoryStorage() });
    app.get('/file/bot:token/*path', (req, res) => {
      const bot = this.bots.get(String(req.params.token));
      const filePath = ([] as string[]).concat(req.params.path as unknown as string[]).join('/');
      const file = bot && [...bot.files.values()].find((entry) => entry.path === filePath);
      if (!file) return void res.status(404).end();
      res.type('application/octet-stream').send(file.data);
    });
    app.all('/bot:token/:method', express.json(), upload.any(), (req, res) => {
      const bot = this.bots.get(String(req.params.token));
      if (!bot)
        return void res
          .status(401)
          .json({ ok: false, error_code: 401, description: 'Unauthorized' });
      const params = { ...req.query, ...(req.body ?? {}) } as Record<string, any>;
      const files = (req.files as Express.Multer.File[] | undefined) ?? [];
      // A poller that hangs up (its session stopped) no longer waits for updates.
      res.on('close', () => {
        if (bot.waiting && !res.writableEnded) bot.waiting.gone();
      });
      this.handle(bot, String(req.params.method), params, files, (status, body) => {
        if (!res.writableEnded) res.status(status).json(body);
      });
    });
    this.server = http.createServer(app);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const bot of this.bots.values()) bot.waiting?.wake();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  addBot(token: string, username: string): void {
    this.bots.set(token, {
      token,
      username,
      updates: [],
      nextUpdateId: 1,
      sent: [],
      blocked: new Set(),
      files: new Map(),
      polls: 0,
    });
  }

  bot(token: string): Bot {
    const bot = this.bots.get(token);
    if (!bot) throw new Error(`no bot ${token}`);
    return bot;
  }

  /** Queues an update for getUpdates; returns it with its id. */
  pushUpdate(token: string, update: Record<string, unknown>): Record<string, unknown> {
    const bot = this.bot(token);
    const stored = { update_id: bot.nextUpdateId++, ...update };
    bot.updates.push(stored);
    bot.waiting?.wake();
    return stored;
  }

  /** A private-chat message from a person, as Telegram shapes it. */
  message(chatId: number, fields: Record<string, unknown>, name = 'Ana'): Record<string, unknown> {
    return {
      message_id: (messageCounter += 1),
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: name },
      from: { id: chatId, is_bot: false, first_name: name },
      ...fields,
    };
  }

  /** Stores a file the bot can fetch with getFile; returns its file_id. */
  putFile(token: string, data: Buffer, name: string): string {
    const bot = this.bot(token);
    const fileId = `file-${bot.files.size + 1}-${name}`;
    bot.files.set(fileId, { path: `documents/${name}`, data });
    return fileId;
  }

  private handle(
    bot: Bot,
    method: string,
    params: Record<string, any>,
    files: Express.Multer.File[],
    reply: (status: number, body: unknown) => void,
  ): void {
    const ok = (result: unknown) => reply(200, { ok: true, result });
    const fail = (code: number, description: string) =>
      reply(code, { ok: false, error_code: code, description });

    switch (method) {
      case 'getMe':
        return ok({ id: 1, is_bot: true, first_name: bot.username, username: bot.username });
      case 'setWebhook':
        bot.webhook = { url: String(params.url), secret: params.secret_token };
        return ok(true);
      case 'deleteWebhook':
        bot.webhook = undefined;
        return ok(true);
      case 'getUpdates':
        return this.getUpdates(bot, params, ok, fail);
      case 'getFile': {
        const file = bot.files.get(String(params.file_id));
        if (!file) return fail(400, 'Bad Request: invalid file_id');
        return ok({
          file_id: params.file_id,
          file_unique_id: params.file_id,
          file_path: file.path,
          file_size: file.data.length,
        });
      }
      case 'sendMessage':
      case 'sendPhoto':
      case 'sendDocument':
      case 'sendVoice':
      case 'sendAudio':
      case 'sendVideo': {
        const chatId = String(params.chat_id);
        if (bot.blocked.has(chatId)) return fail(403, 'Forbidden: bot was blocked by the user');
        const upload = files[0];
        const replyParameters =
          typeof params.reply_parameters === 'string'
            ? JSON.parse(params.reply_parameters)
            : params.reply_parameters;
        const sent: SentByBot = {
          method,
          chatId,
          text: params.text,
          caption: params.caption,
          file: upload ? { name: upload.originalname, size: upload.size } : undefined,
          replyTo: replyParameters?.message_id,
          messageId: (messageCounter += 1),
        };
        bot.sent.push(sent);
        return ok({
          message_id: sent.messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(chatId), type: 'private' },
          text: params.text,
        });
      }
      default:
        return fail(404, 'Not Found: method not found');
    }
  }

  private getUpdates(
    bot: Bot,
    params: Record<string, any>,
    ok: (result: unknown) => void,
    fail: (code: number, description: string) => void,
  ): void {
    if (bot.webhook)
      return fail(409, "Conflict: can't use getUpdates method while webhook is active");
    const offset = Number(params.offset ?? 0);
    // Asking from an offset confirms every update before it, as Telegram does.
    if (offset > 0)
      bot.updates = bot.updates.filter((update) => (update.update_id as number) >= offset);
    const limit = Number(params.limit ?? 100);
    const available = () => bot.updates.slice(0, limit);
    bot.polls += 1;
    bot.waiting?.conflict();
    if (available().length > 0 || !Number(params.timeout)) return ok(available());

    let done = false;
    const finish = (answer: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (bot.waiting === waiting) bot.waiting = undefined;
      answer();
    };
    const timer = setTimeout(() => finish(() => ok(available())), Number(params.timeout) * 1000);
    const waiting = {
      wake: () => finish(() => ok(available())),
      conflict: () => finish(() => fail(409, 'Conflict: terminated by other getUpdates request')),
      gone: () => finish(() => undefined),
    };
    bot.waiting = waiting;
  }
}
