import test from "ava";
import { ANNOUNCEMENT_PROMPTS, announcementPrompts } from "../../ivr/queue-announcement.js";
import { PromptLibrary } from "../../ivr/media/prompt-library.js";

const BOTH = { position: true, estimatedWait: true };

test("position and estimated wait make two sentences, in that order", (t) => {
  t.deepEqual(announcementPrompts(3, 200, BOTH), [
    "queue-position", "number-3", "queue-in-line",
    "queue-estimated-wait", "number-4", "minutes",
  ]);
});

test("waits are rounded up to whole minutes; one minute is singular", (t) => {
  const wait = (seconds: number) => announcementPrompts(1, seconds, { position: false, estimatedWait: true });
  t.deepEqual(wait(60), ["queue-estimated-wait", "number-1", "minute"]);
  t.deepEqual(wait(61), ["queue-estimated-wait", "number-2", "minutes"]);
  t.deepEqual(wait(120), ["queue-estimated-wait", "number-2", "minutes"]);
  t.deepEqual(wait(1199.5), ["queue-estimated-wait", "number-20", "minutes"]);
});

test("under a minute is 'less than one minute'", (t) => {
  t.deepEqual(announcementPrompts(2, 0, BOTH), ["queue-position", "number-2", "queue-in-line", "queue-estimated-wait", "less-than-one-minute"]);
  t.deepEqual(announcementPrompts(2, 59.9, { position: false, estimatedWait: true }), ["queue-estimated-wait", "less-than-one-minute"]);
});

test("a position above twenty skips the position sentence but still says the wait", (t) => {
  t.deepEqual(announcementPrompts(20, 30, BOTH).slice(0, 3), ["queue-position", "number-20", "queue-in-line"]);
  t.deepEqual(announcementPrompts(21, 30, BOTH), ["queue-estimated-wait", "less-than-one-minute"]);
  t.deepEqual(announcementPrompts(250, 300, BOTH), ["queue-estimated-wait", "number-5", "minutes"]);
});

test("a wait above twenty minutes, no estimate or a nonsense value says no wait sentence", (t) => {
  const positionOnly = ["queue-position", "number-1", "queue-in-line"];
  t.deepEqual(announcementPrompts(1, 1201, BOTH), positionOnly);
  t.deepEqual(announcementPrompts(1, undefined, BOTH), positionOnly);
  t.deepEqual(announcementPrompts(1, Number.NaN, BOTH), positionOnly);
  t.deepEqual(announcementPrompts(1, -5, BOTH), positionOnly);
  t.deepEqual(announcementPrompts(0, undefined, BOTH), [], "position 0 (being connected) is not announced");
  t.deepEqual(announcementPrompts(2.5, undefined, BOTH), []);
});

test("the options switch each sentence off", (t) => {
  t.deepEqual(announcementPrompts(4, 90, { position: true, estimatedWait: false }), ["queue-position", "number-4", "queue-in-line"]);
  t.deepEqual(announcementPrompts(4, 90, { position: false, estimatedWait: true }), ["queue-estimated-wait", "number-2", "minutes"]);
  t.deepEqual(announcementPrompts(4, 90, { position: false, estimatedWait: false }), []);
});

test("every prompt an announcement can name exists in English and loads", async (t) => {
  const library = new PromptLibrary();
  const named = new Set<string>();
  for (let position = 0; position <= 25; position++) {
    for (let seconds = 0; seconds <= 1500; seconds += 15) {
      for (const name of announcementPrompts(position, seconds, BOTH)) named.add(name);
    }
  }
  t.deepEqual([...named].sort(), [...ANNOUNCEMENT_PROMPTS].sort(), "ANNOUNCEMENT_PROMPTS lists exactly what is used");
  for (const name of named) {
    const prompt = await library.load(name, "en");
    t.true(prompt.durationMs >= 250, `${name}: ${prompt.durationMs} ms`);
  }
});
