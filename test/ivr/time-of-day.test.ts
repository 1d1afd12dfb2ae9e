// The time-of-day condition of branch cases, evaluated with Intl in the given time zone against an injected clock:
// weekdays, from (included) and to (excluded), spans over midnight, summer time, holidays, and load-time checks.
import test from "ava";
import { ActionRegistry } from "../../ivr/actions.js";
import { ScriptEngine } from "../../ivr/script-engine.js";
import { parseScript } from "../../ivr/script-library.js";
import { SourceInvalidError, YamlSource } from "../../cti/config/yaml-source.js";
import { silentLogger } from "../../cti/log.js";
import { localTime, timeOfDaySchema, withinTimeOfDay } from "../../ivr/blocks/time-of-day.js";
import { MemoryChannel } from "./memory-channel.js";

const OFFICE = timeOfDaySchema.parse({ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "17:30", timeZone: "Europe/Stockholm", holidays: ["2025-12-24", "12-25"] });
const at = (iso: string) => new Date(iso);

test("local time is read in the given zone", (t) => {
  t.deepEqual(localTime(at("2025-03-04T06:59:00Z"), "Europe/Stockholm"), { weekday: "tue", date: "2025-03-04", minutes: 7 * 60 + 59 });
  t.deepEqual(localTime(at("2025-03-04T23:30:00Z"), "Europe/Stockholm"), { weekday: "wed", date: "2025-03-05", minutes: 30 });
  t.deepEqual(localTime(at("2025-03-04T23:30:00Z"), "America/New_York"), { weekday: "tue", date: "2025-03-04", minutes: 18 * 60 + 30 });
});

test("from is included and to is not, in local time", (t) => {
  // Tuesday 4 March 2025, Stockholm is UTC+1.
  t.false(withinTimeOfDay(OFFICE, at("2025-03-04T06:59:59Z")), "07:59:59");
  t.true(withinTimeOfDay(OFFICE, at("2025-03-04T07:00:00Z")), "08:00");
  t.true(withinTimeOfDay(OFFICE, at("2025-03-04T16:29:59Z")), "17:29:59");
  t.false(withinTimeOfDay(OFFICE, at("2025-03-04T16:30:00Z")), "17:30");
});

test("summer time moves the hours in UTC, not in local time", (t) => {
  // 06:30 UTC is 07:30 on Friday 28 March (UTC+1) but 08:30 on Monday 31 March (UTC+2, after the change on the 30th).
  t.false(withinTimeOfDay(OFFICE, at("2025-03-28T06:30:00Z")));
  t.true(withinTimeOfDay(OFFICE, at("2025-03-31T06:30:00Z")));
});

test("only the listed weekdays match", (t) => {
  t.false(withinTimeOfDay(OFFICE, at("2025-03-08T10:00:00Z")), "Saturday");
  t.false(withinTimeOfDay(OFFICE, at("2025-03-09T10:00:00Z")), "Sunday");
  t.true(withinTimeOfDay(OFFICE, at("2025-03-10T10:00:00Z")), "Monday");
});

test("holidays do not match: a dated one once, a MM-DD one every year", (t) => {
  t.false(withinTimeOfDay(OFFICE, at("2025-12-24T10:00:00Z")), "Wednesday 24 December 2025");
  t.true(withinTimeOfDay(OFFICE, at("2026-12-24T10:00:00Z")), "Thursday 24 December 2026 is a working day");
  t.false(withinTimeOfDay(OFFICE, at("2025-12-25T10:00:00Z")));
  t.false(withinTimeOfDay(OFFICE, at("2026-12-25T10:00:00Z")));
  // The holiday is the local date: 23:30 UTC on the 24th is already the 25th in Stockholm.
  const lateShift = timeOfDaySchema.parse({ from: "00:00", to: "24:00", timeZone: "Europe/Stockholm", holidays: ["12-25"] });
  t.false(withinTimeOfDay(lateShift, at("2025-12-24T23:30:00Z")));
  t.true(withinTimeOfDay(lateShift, at("2025-12-24T22:30:00Z")));
});

test("a span over midnight: from 22:00 to 06:00", (t) => {
  const night = timeOfDaySchema.parse({ from: "22:00", to: "06:00", timeZone: "UTC" });
  t.true(withinTimeOfDay(night, at("2025-03-04T22:00:00Z")));
  t.true(withinTimeOfDay(night, at("2025-03-04T23:59:00Z")));
  t.true(withinTimeOfDay(night, at("2025-03-05T05:59:00Z")));
  t.false(withinTimeOfDay(night, at("2025-03-05T06:00:00Z")));
  t.false(withinTimeOfDay(night, at("2025-03-05T12:00:00Z")));
});

test("defaults: every day, the whole day", (t) => {
  const always = timeOfDaySchema.parse({ timeZone: "UTC" });
  t.true(withinTimeOfDay(always, at("2025-03-09T00:00:00Z")));
  t.true(withinTimeOfDay(always, at("2025-03-09T23:59:59Z")));
});

test("a branch case with timeOfDay follows the engine's clock", async (t) => {
  const script = parseScript(
    YamlSource.fromText(
      "t.yaml",
      `script: t
start: hours
blocks:
  hours:
    type: branch
    cases:
      - if:
          timeOfDay: { days: [mon, tue, wed, thu, fri], from: 08:00, to: "17:00", timeZone: Europe/Stockholm }
        next: open
      - if: { var: ANI, equals: "112" }
        next: open
    else: closed
  open: { type: play, prompts: [open] }
  closed: { type: play, prompts: [closed] }
`,
    ),
    { actionNames: new Set(), promptExists: () => true },
  );
  const played = async (iso: string, ani = "0701") => {
    const channel = new MemoryChannel();
    const engine = new ScriptEngine({ actions: new ActionRegistry(), logger: silentLogger(), clock: () => new Date(iso) });
    await engine.run(script, channel, { ANI: ani, DNIS: "3000", CALL_ID: "c", CALL_MANAGER: "demo", SOURCE_ADDRESS: "127.0.0.1" });
    return channel.played[0]?.[0];
  };
  t.is(await played("2025-03-04T09:00:00Z"), "open");
  t.is(await played("2025-03-04T17:00:00Z"), "closed");
  t.is(await played("2025-03-08T09:00:00Z"), "closed");
  t.is(await played("2025-03-08T09:00:00Z", "112"), "open", "the variable test of the next case still applies");
});

test("time-of-day conditions are checked at load, with lines", (t) => {
  const yaml = `script: t
start: a
blocks:
  a:
    type: branch
    cases:
      - if: { timeOfDay: { days: [mon, funday], from: "8:00", to: "25:00", timeZone: Mars/Olympus } }
        next: a
      - if: { timeOfDay: { from: "09:00", to: "09:00", holidays: ["2025-13-01"] } }
        next: a
      - if: { timeOfDay: {}, var: x }
        next: a
      - if: { var: x }
        next: a
    else: a
`;
  const error = t.throws(() => parseScript(YamlSource.fromText("t.yaml", yaml), { actionNames: new Set(), promptExists: () => true }), {
    instanceOf: SourceInvalidError,
  })!;
  const found = error.problems.map((p) => `${p.line}: ${p.reason}`);
  const has = (re: RegExp) => t.true(found.some((p) => re.test(p)), `${re} in\n${found.join("\n")}`);
  has(/^7: blocks\.a\.cases\.0\.if\.timeOfDay\.days\.1: .*'mon' \| 'tue'/);
  has(/^7: blocks\.a\.cases\.0\.if\.timeOfDay\.from: a time of day is written "HH:MM"/);
  has(/^7: blocks\.a\.cases\.0\.if\.timeOfDay\.to: a time of day is written "HH:MM"/);
  has(/^7: blocks\.a\.cases\.0\.if\.timeOfDay\.timeZone: unknown time zone "Mars\/Olympus"/);
  has(/^9: blocks\.a\.cases\.1\.if\.timeOfDay\.to: from and to are the same time/);
  has(/^9: blocks\.a\.cases\.1\.if\.timeOfDay\.holidays\.0: a holiday is written "YYYY-MM-DD" or "MM-DD"/);
  has(/^11: blocks\.a\.cases\.2\.if: unknown key "var"/);
  has(/^13: blocks\.a\.cases\.3\.if: a condition has exactly one test/);
});
