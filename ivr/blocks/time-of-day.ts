// The time-of-day test of a `branch` case: opening hours on given weekdays, in a time zone, except holidays.
// Evaluated with Intl (the time zone database Node carries), so summer time needs no handling here.
//
//   - if:
//       timeOfDay:
//         days: [mon, tue, wed, thu, fri]   # default every day
//         from: "08:00"                     # default 00:00
//         to: "17:30"                       # default 24:00; from > to spans midnight (22:00-06:00)
//         timeZone: Europe/Stockholm        # default the bridge's time zone
//         holidays: ["2025-12-24", "12-25"] # whole days that do not match; MM-DD repeats every year
//     next: open
//
// Days and holidays are those of the local date at the moment tested; `from` is included, `to` is not.
import { z } from "zod";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const clock = z
  .string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, 'a time of day is written "HH:MM" (00:00 to 24:00)')
  .transform((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5)));

const holiday = z
  .string()
  .regex(/^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/, 'a holiday is written "YYYY-MM-DD" or "MM-DD" (every year)');

const timeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  (zone) => ({ message: `unknown time zone "${zone}" (an IANA name such as Europe/Stockholm)` }),
);

export const timeOfDaySchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1).default([...WEEKDAYS]),
    /** Minutes after local midnight. */
    from: clock.default("00:00"),
    to: clock.default("24:00"),
    timeZone: timeZone.optional(),
    holidays: z.array(holiday).default([]),
  })
  .strict()
  .refine((t) => t.from !== t.to, { message: "from and to are the same time", path: ["to"] });

export type TimeOfDay = z.output<typeof timeOfDaySchema>;

interface LocalTime {
  weekday: Weekday;
  /** YYYY-MM-DD */
  date: string;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock date and time at `now` in `zone` (the process's zone when undefined). */
export function localTime(now: Date, zone: string | undefined): LocalTime {
  const key = zone ?? "";
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(key, format);
  }
  const part: Record<string, string> = {};
  for (const p of format.formatToParts(now)) part[p.type] = p.value;
  return {
    weekday: part.weekday!.toLowerCase() as Weekday,
    date: `${part.year}-${part.month}-${part.day}`,
    minutes: Number(part.hour) * 60 + Number(part.minute),
  };
}

export function withinTimeOfDay(spec: TimeOfDay, now: Date): boolean {
  const local = localTime(now, spec.timeZone);
  if (!spec.days.includes(local.weekday)) return false;
  if (spec.holidays.some((h) => h === local.date || h === local.date.slice(5))) return false;
  return spec.from < spec.to ? local.minutes >= spec.from && local.minutes < spec.to : local.minutes >= spec.from || local.minutes < spec.to;
}
