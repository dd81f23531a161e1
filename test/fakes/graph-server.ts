// A local Graph API server for the Messenger Platform: page and profile lookups, the Send API
// (JSON, or multipart with `filedata`), page subscriptions and attachment files, with Graph's
// error shape, including the answer for a closed 24-hour window. It also signs webhook
// payloads the way Meta does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import multer from 'multer';
import { hmacSha256 } from '../../lib/crypto';

export const GRAPH_VERSION = 'v26.0';

export interface SentByPage {
  pageId: string;
  recipientId: string;
  message: Record<string, any>;
  file?: { name: string; type: string; size: number };
  messageId: string;
}

let counter = 0;

export class FakeGraphServer {
  readonly pages = new Map<string, { token: string; name: string }>();
  readonly profiles = new Map<string, Record<string, string>>();
  readonly sent: SentByPage[] = [];
  readonly subscriptions: { pageId: string; fields: string }[] = [];
  /** People whose 24-hour window is closed: the Send API refuses free-form messages to them. */
  readonly windowClosed = new Set<string>();
  private readonly files = new Map<string, { type: string; data: Buffer }>();
  private server: http.Server | undefined;
  base = '';

  /** What a channel's `graphApiUrl` is set to: the base URL with the version. */
  get url(): string {
    return `${this.base}/${GRAPH_VERSION}`;
  }

  async start(): Promise<this> {
    const app = express();
    const upload = multer({ storage: multer.memoryStorage() });
    app.get('/cdn/:name', (req, res) => {
      const file = this.files.get(String(req.params.name));
      if (!file) return void res.status(404).end();
      res.type(file.type).send(file.data);
    });
    app.post(
      `/${GRAPH_VERSION}/:pageId/messages`,
      express.json(),
      upload.single('filedata'),
      (req, res) => this.send(req, res),
    );
    app.post(`/${GRAPH_VERSION}/:pageId/subscribed_apps`, (req, res) => {
      if (!this.authorized(req, String(req.params.pageId)))
        return void this.error(res, 190, 'Invalid OAuth access token.');
      this.subscriptions.push({
        pageId: String(req.params.pageId),
        fields: String(req.query.subscribed_fields),
      });
      res.json({ success: true });
    });
    app.get(`/${GRAPH_VERSION}/:id`, (req, res) => {
      const id = String(req.params.id);
      const page = this.pages.get(id);
      if (page) {
        if (!this.authorized(req, id))
          return void this.error(res, 190, 'Invalid OAuth access token.');
        return void res.json({ id, name: page.name });
      }
      const profile = this.profiles.get(id);
      if (!profile || !this.anyPageToken(req))
        return void this.error(res, 100, 'Unsupported get request.');
      res.json({ id, ...profile });
    });
    this.server = http.createServer(app);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  addPage(pageId: string, token: string, name: string): void {
    this.pages.set(pageId, { token, name });
  }

  /** Hosts an attachment the way Meta's CDN does; returns its URL for a webhook payload. */
  hostFile(name: string, type: string, data: Buffer): string {
    this.files.set(name, { type, data });
    return `${this.base}/cdn/${name}`;
  }

  private send(req: Request, res: Response): void {
    const pageId = String(req.params.pageId);
    if (!this.authorized(req, pageId)) return this.error(res, 190, 'Invalid OAuth access token.');
    const field = (name: string) => {
      const value = req.body?.[name];
      return typeof value === 'string' ? JSON.parse(value) : value;
    };
    const recipient = field('recipient') as { id?: string } | undefined;
    const message = field('message') as Record<string, any> | undefined;
    if (!recipient?.id || !message)
      return this.error(res, 100, '(#100) The parameter recipient is required');
    if (this.windowClosed.has(recipient.id)) {
      return this.error(res, 10, '(#10) This message is sent outside of allowed window.', 2018278);
    }
    const file = req.file
      ? { name: req.file.originalname, type: req.file.mimetype, size: req.file.size }
      : undefined;
    const messageId = `m_${(counter += 1)}`;
    this.sent.push({ pageId, recipientId: recipient.id, message, file, messageId });
    res.json({ recipient_id: recipient.id, message_id: messageId });
  }

  private authorized(req: Request, pageId: string): boolean {
    return this.tokenOf(req) === this.pages.get(pageId)?.token;
  }

  private anyPageToken(req: Request): boolean {
    const token = this.tokenOf(req);
    return [...this.pages.values()].some((page) => page.token === token);
  }

  private tokenOf(req: Request): string | undefined {
    return (
      /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ??
      (req.query.access_token as string | undefined)
    );
  }

  private error(res: Response, code: number, message: string, subcode?: number): void {
    res.status(code === 190 ? 401 : 400).json({
      error: {
        message,
        type: 'OAuthException',
        code,
        ...(subcode ? { error_subcode: subcode } : {}),
        fbtrace_id: 'fake',
      },
    });
  }
}

/** A webhook body and its `X-Hub-Signature-256`, as Meta would post it. */
export function signedWebhook(
  appSecret: string,
  payload: unknown,
): { body: string; signature: string } {
  const body = JSON.stringify(payload);
  return { body, signature: `sha256=${hmacSha256(appSecret, body)}` };
}
