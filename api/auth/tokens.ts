// Short-lived access tokens (JWT) and rotating refresh tokens stored only as hashes.
import { jwtVerify, SignJWT } from 'jose';
import type { Db } from '../../db/knex';
import { RefreshToken, type User } from '../../db/models';
import { hashToken, randomToken } from '../../lib/crypto';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_DAYS = 30;

export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    private readonly db: Db,
    secret: string,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  signAccess(user: User): Promise<string> {
    return new SignJWT({ tid: user.tenantId, role: user.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(user.id))
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
      .sign(this.key);
  }

  /** The user id an access token speaks for, or null when it is invalid or expired. */
  async verifyAccess(token: string): Promise<number | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      return Number(payload.sub) || null;
    } catch {
      return null;
    }
  }

  async issueRefresh(userId: number, family = randomToken(16)): Promise<string> {
    const token = randomToken();
    const expiresAt = new Date(Date.now() + REFRESH_TOKEN_TTL_DAYS * 86_400_000);
    await RefreshToken.query(this.db).insert({
      userId,
      family,
      tokenHash: hashToken(token),
      expiresAt: expiresAt.toISOString(),
    });
    return token;
  }

  /**
   * Trades a refresh token for a new one of the same family. A token used twice means it was
   * stolen: the whole family is revoked and both holders must sign in again.
   */
  async rotateRefresh(token: string): Promise<{ userId: number; token: string } | null> {
    const stored = await RefreshToken.query(this.db).findOne({ tokenHash: hashToken(token) });
    if (!stored) return null;
    if (stored.revokedAt) {
      await this.revokeFamily(stored.family);
      return null;
    }
    if (new Date(stored.expiresAt).getTime() < Date.now()) return null;

    const revoked = await RefreshToken.query(this.db)
      .patch({ revokedAt: new Date().toISOString() })
      .where({ id: stored.id })
      .whereNull('revokedAt');
    if (revoked === 0) return null;
    return { userId: stored.userId, token: await this.issueRefresh(stored.userId, stored.family) };
  }

  async revokeRefresh(token: string): Promise<void> {
    const stored = await RefreshToken.query(this.db).findOne({ tokenHash: hashToken(token) });
    if (stored) await this.revokeFamily(stored.family);
  }

  private async revokeFamily(family: string): Promise<void> {
    await RefreshToken.query(this.db)
      .patch({ revokedAt: new Date().toISOString() })
      .where({ family })
      .whereNull('revokedAt');
  }
}
