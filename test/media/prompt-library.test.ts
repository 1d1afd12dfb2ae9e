import test from "ava";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CtiError } from "../../cti/errors.js";
import { PromptLibrary, SAMPLES_PER_FRAME } from "../../ivr/media/prompt-library.js";
import { parseWav } from "../../ivr/media/wav-file.js";

const EXPECTED = [
  "enter-agent-id", "enter-pin", "logged-on", "logon-failed", "account-locked", "logged-off", "ready", "not-ready",
  "no-agent", "goodbye", "service-unavailable", "too-many-attempts", "one-second",
  "queue-welcome", "queue-position", "queue-in-line", "queue-estimated-wait", "minute", "minutes",
  "less-than-one-minute", "queue-closed", "queue-overflow",
  ...Array.from({ length: 20 }, (_, i) => `number-${i + 1}`),
];

function sox(...args: string[]): void {
  execFileSync("sox", args, { stdio: "ignore" });
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "ctibridge-prompts-"));
}

test("every default English prompt loads as 8 kHz audio of a sensible length", async (t) => {
  const library = new PromptLibrary();
  for (const name of EXPECTED) {
    const prompt = await library.load(name, "en");
    // Fragments strung into sentences ("three") are short; the longest sentence is queue-welcome (~8.6 s).
    t.true(prompt.durationMs >= 400 && prompt.durationMs <= 10_000, `${name}: ${prompt.durationMs} ms`);
    t.is(prompt.pcmu.length, prompt.frames * SAMPLES_PER_FRAME);
    t.is(prompt.pcma.length, prompt.frames * SAMPLES_PER_FRAME);
  }
  t.is(library.size, EXPECTED.length);
});

test("music-on-hold is a 10 s loop at -12 dBFS that starts and ends in silence, so it repeats without a click", async (t) => {
  const prompt = await new PromptLibrary().load("music-on-hold");
  t.is(prompt.sampleCount, 80_000);
  t.is(prompt.frames, 500);
  const file = new PromptLibrary().resolve("music-on-hold");
  const { readFileSync } = await import("node:fs");
  const wav = parseWav(readFileSync(file), file);
  t.is(wav.encoding, "pcm16");
  const samples = wav.samples as Int16Array;
  const peak = (from: number, to: number) => samples.subarray(from, to).reduce((m, s) => Math.max(m, Math.abs(s)), 0);
  const dbfs = (level: number) => 20 * Math.log10(Math.max(level, 1) / 32768);
  t.true(Math.abs(dbfs(peak(0, samples.length)) - -12) < 0.5, `peak ${dbfs(peak(0, samples.length)).toFixed(2)} dBFS`);
  // 10 ms at each end: below -60 dBFS, so the jump from the last sample back to the first is inaudible.
  t.true(dbfs(peak(0, 80)) < -60, `start ${dbfs(peak(0, 80)).toFixed(1)} dBFS`);
  t.true(dbfs(peak(samples.length - 80, samples.length)) < -60, `end ${dbfs(peak(samples.length - 80, samples.length)).toFixed(1)} dBFS`);
  // Music throughout, not a click and silence: every second of the loop has sound above -40 dBFS.
  for (let second = 0; second < 10; second++) {
    t.true(dbfs(peak(second * 8000, (second + 1) * 8000)) > -40, `second ${second} is not silent`);
  }
});

test("one-second is exactly 1.000 s: 8000 samples, 50 frames", async (t) => {
  const prompt = await new PromptLibrary().load("one-second");
  t.is(prompt.sampleCount, 8000);
  t.is(prompt.durationMs, 1000);
  t.is(prompt.frames, 50);
});

test("a prompt is decoded once and shared; a partial last frame is padded with silence", async (t) => {
  const dir = scratch();
  mkdirSync(join(dir, "en"));
  sox("-D", "-r", "8000", "-c", "1", "-n", "-b", "16", "-e", "signed-integer", join(dir, "en", "short.wav"), "synth", "250s", "sine", "300");
  const library = new PromptLibrary({ directories: [dir] });
  const [a, b] = await Promise.all([library.load("short"), library.load("short.wav")]);
  t.is(a, b);
  t.is(a.frames, 2);
  t.true(a.pcmu.subarray(250).every((c) => c === 0xff));
  t.true(a.pcma.subarray(250).every((c) => c === 0xd5));
});

test("extra directories are searched first, and a missing language falls back to the default", async (t) => {
  const dir = scratch();
  mkdirSync(join(dir, "en"));
  mkdirSync(join(dir, "sv"));
  sox("-D", "-r", "8000", "-c", "1", "-n", "-b", "16", "-e", "signed-integer", join(dir, "en", "goodbye.wav"), "synth", "0.1", "sine", "300");
  sox("-D", "-r", "8000", "-c", "1", "-n", "-b", "16", "-e", "signed-integer", join(dir, "sv", "ready.wav"), "synth", "0.1", "sine", "300");
  const library = new PromptLibrary({ directories: [dir] });
  t.is(library.resolve("goodbye"), join(dir, "en", "goodbye.wav"), "the operator's recording overrides the built-in one");
  t.is(library.resolve("ready", "sv"), join(dir, "sv", "ready.wav"));
  t.regex(library.resolve("logged-on", "sv"), /ivr\/prompts\/en\/logged-on\.wav$/, "no Swedish logged-on: English");
  const error = t.throws<CtiError>(() => library.resolve("nothing-like-this", "sv"));
  t.is(error?.code, "CTI_ERR_NOT_FOUND");
  t.regex(error!.message, /sv\/nothing-like-this\.wav.*en\/nothing-like-this\.wav/);
  t.throws(() => library.resolve("../secrets"), { code: "CTI_ERR_BAD_REQUEST" });
  t.throws(() => library.resolve("ok", "../x"), { code: "CTI_ERR_BAD_REQUEST" });
});

test("A-law and µ-law WAV files are accepted; the file's own law is sent byte for byte", async (t) => {
  const dir = scratch();
  mkdirSync(join(dir, "en"));
  sox("-D", "-r", "8000", "-c", "1", "-n", "-e", "a-law", "-b", "8", join(dir, "en", "alaw.wav"), "synth", "160s", "sine", "500");
  sox("-D", "-r", "8000", "-c", "1", "-n", "-e", "u-law", "-b", "8", join(dir, "en", "ulaw.wav"), "synth", "160s", "sine", "500");
  const library = new PromptLibrary({ directories: [dir] });
  const alaw = await library.load("alaw");
  const ulaw = await library.load("ulaw");
  t.is(alaw.sampleCount, 160);
  t.is(ulaw.sampleCount, 160);
  const { readFileSync } = await import("node:fs");
  const alawFile = readFileSync(join(dir, "en", "alaw.wav"));
  t.true(alawFile.includes(alaw.pcma), "A-law payload is the file's data");
  t.false(alaw.pcmu.every((c) => c === 0xff), "and it was transcoded to µ-law, not silenced");
});

test("wrong formats are refused at load with the file name and what it contains", async (t) => {
  const dir = scratch();
  mkdirSync(join(dir, "en"));
  sox("-D", "-r", "44100", "-c", "2", "-n", "-b", "16", join(dir, "en", "cd.wav"), "synth", "0.1", "sine", "300");
  writeFileSync(join(dir, "en", "text.wav"), "this is not audio");
  const library = new PromptLibrary({ directories: [dir] });
  const cd = await t.throwsAsync<CtiError>(library.load("cd"));
  t.is(cd?.code, "CTI_ERR_PROMPT_INVALID");
  t.regex(cd!.message, /cd\.wav: 44100 Hz, 2 channel\(s\), 16-bit PCM/);
  await t.throwsAsync(library.load("text"), { code: "CTI_ERR_PROMPT_INVALID", message: /not a RIFF\/WAVE file/ });
});
