import type { Db } from './knex';
import { Setting, Tenant } from './models';
import { defaultSettings, type TenantSettings } from '../lib/tenant-settings';

export type ResolvedSettings = typeof defaultSettings & {
  timeZone: string;
  businessHours: TenantSettings['businessHours'];
};

export async function readSettings(db: Db, tenantId: number): Promise<ResolvedSettings> {
  const tenant = await Tenant.query(db).findById(tenantId).throwIfNotFound();
  const rows = await Setting.query(db).where({ tenantId });
  const stored = Object.fromEntries(rows.map((row) => [row.key, row.value]));
  return {
    ...defaultSettings,
    ...stored,
    timeZone: tenant.timeZone,
    businessHours: tenant.businessHours ?? null,
  };
}

export async function writeSettings(db: Db, tenantId: number, changes: TenantSettings) {
  const { timeZone, businessHours, ...rest } = changes;
  await db.transaction(async (trx) => {
    if (timeZone !== undefined || businessHours !== undefined) {
      await Tenant.query(trx).patch({ timeZone, businessHours }).where({ id: tenantId });
    }
    for (const [key, value] of Object.entries(rest)) {
      await Setting.query(trx)
        .insert({ tenantId, key, value })
        .onConflict(['tenantId', 'key'])
        .merge();
    }
  });
}
