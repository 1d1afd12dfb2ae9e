// Finds prompts by name and language and keeps them ready to send: each file is read once, converted to both
// G.711 laws, padded with silence to whole 20 ms frames and cached for every endpoint that plays it.
//
// A prompt name ("enter-pin") resolves to `<dir>/<language>/<name>.wav`, looking in the extra directories first
// (an operator's recordings override the built-in ones), then in the built-in `ivr/prompts/`; if the language has
// no such prompt, the default language is tried the same way. An absolute path is used as it is.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CtiError, Errors } from "../../cti/errors.js";
import { decodeG711, encodeG711, G711_SILENCE } from "./g711.js";
import { parseWav, TELEPHONY_SAMPLE_RATE } from "./wav-file.js";

/** Samples in one 20 ms RTP packet at 8 kHz. */
export const SAMPLES_PER_FRAME = 160;

/** The prompts shipped with the bridge (dist/ivr/prompts is a copy made by scripts/copy-assets.mjs). */
export const BUILTIN_PROMPT_DIRECTORY = fileURLToPath(new URL("../prompts/", import.meta.url));

const PROMPT_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;

export interface Prompt {
  readonly name: string;
  readonly path: string;
  /** Length of the recording in samples (before padding). */
  readonly sampleCount: number;
  readonly durationMs: number;
  /** Number of 20 ms frames; the payloads below are exactly `frames * 160` bytes. */
  readonly frames: number;
  readonly pcmu: Buffer;
  readonly pcma: Buffer;
}

export interface PromptLibraryOptions {
  /** Searched before the built-in directory, in order. Each holds `<language>/<name>.wav`. */
  directories?: string[];
  /** Defaults to the prompts shipped with the bridge. */
  builtinDirectory?: string;
  /** Used when a prompt is missing in the requested language, and when none is given. Default "en". */
  defaultLanguage?: string;
}

export class PromptLibrary {
  readonly #directories: string[];
  readonly defaultLanguage: string;
  readonly #paths = new Map<string, string>();
  readonly #prompts = new Map<string, Promise<Prompt>>();

  constructor(options: PromptLibraryOptions = {}) {
    this.#directories = [...(options.directories ?? []), options.builtinDirectory ?? BUILTIN_PROMPT_DIRECTORY];
    this.defaultLanguage = options.defaultLanguage ?? "en";
  }

  /** The file a prompt name resolves to; throws NOT_FOUND (naming every place looked at) if there is none. */
  resolve(name: string, language: string = this.defaultLanguage): string {
    if (isAbsolute(name)) return name;
    const key = `${language}\0${name}`;
    const cached = this.#paths.get(key);
    if (cached) return cached;
    const file = name.endsWith(".wav") ? name : `${name}.wav`;
    if (!PROMPT_NAME.test(file) || file.split("/").includes("..")) {
      throw new CtiError(Errors.BAD_REQUEST, `invalid prompt name "${name}"`);
    }
    if (!/^[A-Za-z0-9_-]+$/.test(language)) throw new CtiError(Errors.BAD_REQUEST, `invalid language "${language}"`);
    const languages = language === this.defaultLanguage ? [language] : [language, this.defaultLanguage];
    const tried: string[] = [];
    for (const lang of languages) {
      for (const dir of this.#directories) {
        const candidate = join(dir, lang, file);
        tried.push(candidate);
        if (existsSync(candidate)) {
          this.#paths.set(key, candidate);
          return candidate;
        }
      }
    }
    throw new CtiError(Errors.NOT_FOUND, `prompt "${name}" (${language}) not found; looked in ${tried.join(", ")}`);
  }

  /** Loads (once) and returns a prompt ready to send. Rejects with NOT_FOUND or PROMPT_INVALID. */
  load(name: string, language?: string): Promise<Prompt> {
    let path: string;
    try {
      path = this.resolve(name, language);
    } catch (error) {
      return Promise.reject(error);
    }
    let prompt = this.#prompts.get(path);
    if (!prompt) {
      prompt = readPrompt(name, path);
      this.#prompts.set(path, prompt);
      // A failed load is not cached: the file may be fixed and the prompt played again.
      prompt.catch(() => this.#prompts.delete(path));
    }
    return prompt;
  }

  /** Number of prompts held in memory. */
  get size(): number {
    return this.#prompts.size;
  }

  /** Forgets every cached prompt and resolved name (after prompts were replaced on disk). */
  clear(): void {
    this.#paths.clear();
    this.#prompts.clear();
  }
}

async function readPrompt(name: string, path: string): Promise<Prompt> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new CtiError(Errors.NOT_FOUND, `prompt "${name}": cannot read ${path}`, { cause: error });
  }
  const wav = parseWav(bytes, path);
  if (wav.sampleCount === 0) throw new CtiError(Errors.PROMPT_INVALID, `${path}: no audio`);
  const frames = Math.ceil(wav.sampleCount / SAMPLES_PER_FRAME);
  const padded = frames * SAMPLES_PER_FRAME;
  const pcmu = Buffer.alloc(padded, G711_SILENCE.ulaw);
  const pcma = Buffer.alloc(padded, G711_SILENCE.alaw);
  const count = wav.sampleCount;
  if (wav.encoding === "pcm16") {
    const samples = wav.samples as Int16Array;
    encodeG711("ulaw", samples, pcmu.subarray(0, count));
    encodeG711("alaw", samples, pcma.subarray(0, count));
  } else {
    // A G.711 file is sent as it is in its own law and transcoded through linear for the other.
    const codes = wav.samples as Uint8Array;
    const own = wav.encoding === "ulaw" ? pcmu : pcma;
    own.set(codes);
    const linear = decodeG711(wav.encoding, codes);
    encodeG711(wav.encoding === "ulaw" ? "alaw" : "ulaw", linear, (wav.encoding === "ulaw" ? pcma : pcmu).subarray(0, count));
  }
  return {
    name,
    path,
    sampleCount: count,
    durationMs: (count * 1000) / TELEPHONY_SAMPLE_RATE,
    frames,
    pcmu,
    pcma,
  };
}
