// The settings a tenant's managers control, with their defaults. Time zone and business hours
// live on the tenant row; everything else in the settings table, one row per key.
import { z } from 'zod';

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM, 24-hour');
const period = z.object({ start: time, end: time }).refine((p) => p.start < p.end, {
  message: 'start must be before end',
});
const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export const businessHoursSchema = z
  .object(Object.fromEntries(days.map((day) => [day, z.array(period).max(4).optional()])))
  .strict();

export const timeZoneSchema = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'unknown time zone' },
);

/** A timer length in minutes, up to 30 days; null turns the timer off. */
export const timerMinutes = z
  .number()
  .int()
  .min(1)
  .max(60 * 24 * 30)
  .nullable();

export const settingsSchema = z
  .object({
    timeZone: timeZoneSchema,
    businessHours: businessHoursSchema.nullable(),
    outOfHoursMessage: z.string().max(4000).nullable(),
    ignoreGroups: z.boolean(),
    rejectCalls: z.boolean(),
    rejectCallMessage: z.string().max(1000).nullable(),
    autoCloseMinutes: timerMinutes,
    autoCloseMessage: z.string().max(4000).nullable(),
    slaMinutes: timerMinutes,
    agentIdleMinutes: timerMinutes,
    farewellMessage: z.string().max(4000).nullable(),
  })
  .strict()
  .partial();

export type TenantSettings = z.infer<typeof settingsSchema>;

/** Timers are off and groups are answered until a manager says otherwise. */
export const defaultSettings: Required<Omit<TenantSettings, 'timeZone' | 'businessHours'>> = {
  outOfHoursMessage: null,
  ignoreGroups: false,
  rejectCalls: false,
  rejectCallMessage: null,
  autoCloseMinutes: null,
  autoCloseMessage: null,
  slaMinutes: null,
  agentIdleMinutes: null,
  farewellMessage: null,
};
