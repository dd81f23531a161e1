// Resolves the caller of each request from its bearer token: a user's access token, or a tenant
// API token (prefix `tkt_`). Suspended tenants and deactivated users lose access at once.
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../../db/knex';
import { ApiToken, Tenant, User, UserQueue } from '../../db/models';
import { hashToken } from '../../lib/crypto';
import type { Principal } from './principal';
import type { TokenService } from './tokens';

export const API_TOKEN_PREFIX = 'tkt_';

export async function principalForUser(db: Db, userId: number): Promise<Principal | null> {
  const user = await User.query(db).findById(userId);
  if (!user || !user.active) return null;
  if (user.tenantId) {
    const tenant = await Tenant.query(db).findById(user.tenantId);
    if (!tenant || tenant.status !== 'active') return null;
  }
  const queues = await UserQueue.query(db).where({ userId }).select('queueId');
  return {
    kind: 'user',
    userId: user.id,
    tenantId: user.tenantId,
    role: user.role,
    queueIds: queues.map((row) => row.queueId),
  };
}

async function principalForApiToken(db: Db, token: string): Promise<Principal | null> {
  const stored = await ApiToken.query(db)
    .findOne({ tokenHash: hashToken(token) })
    .whereNull('revokedAt');
  if (!stored) return null;
  const tenant = await Tenant.query(db).findById(stored.tenantId);
  if (!tenant || tenant.status !== 'active') return null;
  await ApiToken.query(db).patch({ lastUsedAt: new Date().toISOString() }).where({ id: stored.id });
  return { kind: 'token', userId: null, tenantId: stored.tenantId, role: 'admin', queueIds: [] };
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

export async function resolvePrincipal(
  db: Db,
  tokens: TokenService,
  token: string | undefined,
): Promise<Principal | null> {
  if (!token) return null;
  if (token.startsWith(API_TOKEN_PREFIX)) return principalForApiToken(db, token);
  const userId = await tokens.verifyAccess(token);
  return userId ? principalForUser(db, userId) : null;
}

export function authenticate(db: Db, tokens: TokenService) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const principal = await resolvePrincipal(db, tokens, bearerToken(req.headers.authorization));
    if (principal) req.principal = principal;
    next();
  };
}
