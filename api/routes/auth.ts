// Sign-in, token refresh and sign-out.
import type { Response } from 'express';
import { z } from 'zod';
import { User, UserQueue } from '../../db/models';
import { AppError, unauthorized } from '../../lib/errors';
import { verifyPassword } from '../../lib/passwords';
import { RateLimiter } from '../../lib/rate-limit';
import type { Services } from '../../lib/services';
import { principalForUser } from '../auth/middleware';
import { REFRESH_TOKEN_TTL_DAYS, type TokenService } from '../auth/tokens';
import { presentUser } from '../../lib/presenters';
import type { ApiRegistry } from '../http/route';

const REFRESH_COOKIE = 'tt_refresh';
const everyone = ['super', 'admin', 'agent'] as const;

const loginBody = z.object({
  email: z.string().trim().toLowerCase().email(),
  password: z.string().min(1).max(200),
});

export function authRoutes(api: ApiRegistry, services: Services, tokens: TokenService) {
  const { db } = services;
  const perIp = new RateLimiter(30, 60_000);
  const perAccount = new RateLimiter(10, 15 * 60_000);
  const secure = services.config.publicUrl.startsWith('https://');

  const setRefreshCookie = (res: Response, token: string) =>
    res.cookie(REFRESH_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure,
      path: '/api/v1/auth',
      maxAge: REFRESH_TOKEN_TTL_DAYS * 86_400_000,
    });

  const session = async (user: User) => {
    const queues = await UserQueue.query(db).where({ userId: user.id });
    return {
      accessToken: await tokens.signAccess(user),
      user: presentUser(
        user,
        queues.map((row) => row.queueId),
      ),
    };
  };

  api.route({
    method: 'post',
    path: '/auth/login',
    summary: 'Sign in with email and password',
    tag: 'auth',
    access: 'public',
    body: loginBody,
    handler: async ({ body, req, res }) => {
      const ipKey = `ip:${req.ip}`;
      const accountKey = `account:${body.email}`;
      if (!perIp.hit(ipKey) || !perAccount.hit(accountKey)) {
        const wait = Math.max(perIp.retryAfter(ipKey), perAccount.retryAfter(accountKey));
        res.setHeader('Retry-After', String(wait));
        throw new AppError(429, 'too_many_attempts', `Too many sign-in attempts; wait ${wait}s.`);
      }

      const user = await User.query(db).whereRaw('lower(email) = ?', [body.email]).first();
      const valid = user && (await verifyPassword(user.passwordHash, body.password));
      if (!user || !valid) throw unauthorized('Email or password is wrong.');
      if (!(await principalForUser(db, user.id))) {
        throw new AppError(403, 'account_disabled', 'This account or its company is suspended.');
      }

      perAccount.reset(accountKey);
      setRefreshCookie(res, await tokens.issueRefresh(user.id));
      return session(user);
    },
  });

  api.route({
    method: 'post',
    path: '/auth/refresh',
    summary: 'Trade the refresh cookie for a new access token',
    tag: 'auth',
    access: 'public',
    handler: async ({ req, res }) => {
      const rotated = await tokens.rotateRefresh(req.cookies?.[REFRESH_COOKIE] ?? '');
      const principal = rotated && (await principalForUser(db, rotated.userId));
      if (!rotated || !principal) throw unauthorized('Your session ended; sign in again.');
      setRefreshCookie(res, rotated.token);
      return session(await User.query(db).findById(rotated.userId).throwIfNotFound());
    },
  });

  api.route({
    method: 'post',
    path: '/auth/logout',
    summary: 'Sign out and revoke the refresh token',
    tag: 'auth',
    access: 'public',
    status: 204,
    handler: async ({ req, res }) => {
      const token = req.cookies?.[REFRESH_COOKIE];
      if (token) await tokens.revokeRefresh(token);
      res.clearCookie(REFRESH_COOKIE, { path: '/api/v1/auth' });
    },
  });

  api.route({
    method: 'get',
    path: '/auth/me',
    summary: 'The signed-in user',
    tag: 'auth',
    access: [...everyone],
    handler: async ({ principal }) => {
      if (!principal.userId) throw unauthorized('API tokens have no user.');
      const user = await User.query(db).findById(principal.userId).throwIfNotFound();
      return { user: presentUser(user, principal.queueIds) };
    },
  });
}
