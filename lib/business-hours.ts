// Business-hours arithmetic in the tenant's time zone.
import type { WeeklyHours } from '../db/models';

const dayKeys = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

interface LocalTime {
  date: string;
  day: (typeof dayKeys)[number];
  minutes: number;
  hour: number;
}

export function localTime(at: Date, timeZone: string): LocalTime {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  const hour = Number(parts.hour);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    day: parts.weekday.toLowerCase().slice(0, 3) as LocalTime['day'],
    minutes: hour * 60 + Number(parts.minute),
    hour,
  };
}

const toMinutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * Whether the company is open at `at`. When closed, `periodKey` names the closed stretch
 * (the local date and the opening it waits for), so one reply per stretch can be sent.
 */
export function businessHoursAt(
  hours: WeeklyHours | null,
  timeZone: string,
  at: Date,
): { open: boolean; periodKey: string | null } {
  if (!hours || Object.keys(hours).length === 0) return { open: true, periodKey: null };
  const local = localTime(at, timeZone);
  const periods = hours[local.day] ?? [];
  const current = periods.find(
    (p) => local.minutes >= toMinutes(p.start) && local.minutes < toMinutes(p.end),
  );
  if (current) return { open: true, periodKey: null };

  return { open: false, periodKey: `until ${nextOpening(hours, local) ?? 'never'}` };
}

/** The local date and time the company opens next, within a week. */
function nextOpening(hours: WeeklyHours, local: LocalTime): string | undefined {
  const today = Date.UTC(
    Number(local.date.slice(0, 4)),
    Number(local.date.slice(5, 7)) - 1,
    Number(local.date.slice(8, 10)),
  );
  const todayIndex = dayKeys.indexOf(local.day);
  for (let offset = 0; offset <= 7; offset += 1) {
    const day = dayKeys[(todayIndex + offset) % 7];
    const opening = (hours[day] ?? [])
      .filter((p) => offset > 0 || toMinutes(p.start) > local.minutes)
      .sort((a, b) => a.start.localeCompare(b.start))[0];
    if (opening) {
      const date = new Date(today + offset * 86_400_000).toISOString().slice(0, 10);
      return `${date} ${opening.start}`;
    }
  }
  return undefined;
}

/** "Bom dia" style greeting by the tenant's local hour, in the web app's first language. */
export function greetingFor(at: Date, timeZone: string): string {
  const { hour } = localTime(at, timeZone);
  if (hour < 12) return 'Bom dia';
  if (hour < 18) return 'Boa tarde';
  return 'Boa noite';
}
