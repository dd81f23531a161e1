import crypto from 'node:crypto';

/** Tokens are stored by their SHA-256, so a leaked table does not leak usable tokens. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export function hmacSha256(secret: string, payload: string | Buffer): string {
  return crypto.createHmac('sha256', secret).update(payload).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/** AES-256-GCM sealing of small secrets (channel tokens, webhook secrets) kept at rest. */
export class SecretBox {
  private readonly key: Buffer;

  constructor(base64Key: string) {
    this.key = crypto.createHash('sha256').update(base64Key).digest();
  }

  seal(value: unknown): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map(encodePart).join('.');
  }

  open<T>(sealed: string): T {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1') throw new Error('Unknown sealed secret version');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, decode(iv));
    decipher.setAuthTag(decode(tag));
    const plain = Buffer.concat([decipher.update(decode(body)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  }
}

const encodePart = (part: string | Buffer) =>
  typeof part === 'string' ? part : part.toString('base64url');
const decode = (part: string) => Buffer.from(part, 'base64url');
