// The first SaaS admin, created on first start so a fresh installation can be signed into.
import { randomToken } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import { hashPassword } from '../lib/passwords';
import type { Db } from './knex';
import { User } from './models';

export async function ensureSuperUser(
  db: Db,
  email: string,
  password: string | undefined,
  log: Logger,
): Promise<void> {
  const existing = await User.query(db).where({ role: 'super' }).first();
  if (existing) return;

  const chosen = password ?? randomToken(12);
  await User.query(db)
    .insert({
      tenantId: null,
      name: 'Super admin',
      email,
      role: 'super',
      passwordHash: await hashPassword(chosen),
    })
    .onConflict(db.raw('(lower(email))'))
    .ignore();
  if (password) {
    log.info({ email }, 'created the super user from ADMIN_EMAIL / ADMIN_PASSWORD');
  } else {
    // Shown once: the password is not stored anywhere but as its hash.
    process.stdout.write(
      `\n  First super user created.\n  email:    ${email}\n  password: ${chosen}\n` +
        '  (shown only now; set ADMIN_PASSWORD to choose it yourself)\n\n',
    );
  }
}
