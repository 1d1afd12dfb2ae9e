// Reads the WAV files prompts are made of. Telephony audio only: 8 kHz mono, either 16-bit linear PCM or 8-bit
// G.711 (A-law / µ-law). Nothing is resampled or downmixed: a file in another format is refused at load with a
// message naming the file and what it contains, so a wrong prompt shows up when the script loads, not mid-call.
import { CtiError, Errors } from "../../cti/errors.js";

export type WavEncoding = "pcm16" | "alaw" | "ulaw";

export interface WavAudio {
  encoding: WavEncoding;
  /** Samples (pcm16) or G.711 codes (alaw/ulaw). */
  samples: Int16Array | Uint8Array;
  /** Number of samples at 8000 Hz. */
  sampleCount: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
export const TELEPHONY_SAMPLE_RATE = 8000;

function invalid(source: string, reason: string): CtiError {
  return new CtiError(Errors.PROMPT_INVALID, `${source}: ${reason}`);
}

/** Parses a WAV file held in memory; `source` names it in errors. */
export function parseWav(bytes: Buffer, source: string): WavAudio {
  if (bytes.length < 12 || bytes.toString("latin1", 0, 4) !== "RIFF" || bytes.toString("latin1", 8, 12) !== "WAVE") {
    throw invalid(source, "not a RIFF/WAVE file");
  }
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let data: Buffer | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString("latin1", offset, offset + 4);
    const declared = bytes.readUInt32LE(offset + 4);
    const start = offset + 8;
    // Streaming writers leave the size at 0 or 0xFFFFFFFF: clamp to what the file holds.
    const end = Math.min(start + declared, bytes.length);
    if (id === "fmt ") {
      if (end - start < 16) throw invalid(source, "fmt chunk too short");
      let format = bytes.readUInt16LE(start);
      if (format === WAVE_FORMAT_EXTENSIBLE && end - start >= 26) format = bytes.readUInt16LE(start + 24);
      fmt = {
        format,
        channels: bytes.readUInt16LE(start + 2),
        rate: bytes.readUInt32LE(start + 4),
        bits: bytes.readUInt16LE(start + 14),
      };
    } else if (id === "data") {
      data = bytes.subarray(start, end);
      if (fmt) break;
    }
    offset = start + declared + (declared & 1); // chunks are padded to even length
  }
  if (!fmt) throw invalid(source, "no fmt chunk");
  if (!data) throw invalid(source, "no data chunk");

  const encoding: WavEncoding | undefined =
    fmt.format === WAVE_FORMAT_PCM && fmt.bits === 16
      ? "pcm16"
      : fmt.format === WAVE_FORMAT_ALAW && fmt.bits === 8
        ? "alaw"
        : fmt.format === WAVE_FORMAT_MULAW && fmt.bits === 8
          ? "ulaw"
          : undefined;
  if (!encoding || fmt.channels !== 1 || fmt.rate !== TELEPHONY_SAMPLE_RATE) {
    const kind =
      fmt.format === WAVE_FORMAT_PCM ? `${fmt.bits}-bit PCM` : fmt.format === WAVE_FORMAT_ALAW ? `${fmt.bits}-bit A-law`
        : fmt.format === WAVE_FORMAT_MULAW ? `${fmt.bits}-bit µ-law` : `format tag ${fmt.format}`;
    throw invalid(
      source,
      `${fmt.rate} Hz, ${fmt.channels} channel(s), ${kind}; prompts must be 8000 Hz mono 16-bit PCM or 8-bit A-law/µ-law ` +
        `(convert with: sox IN -r 8000 -c 1 -b 16 -e signed-integer OUT.wav)`,
    );
  }
  if (encoding === "pcm16") {
    const count = data.length >> 1;
    const samples = new Int16Array(count);
    for (let i = 0; i < count; i++) samples[i] = data.readInt16LE(i * 2);
    return { encoding, samples, sampleCount: count };
  }
  return { encoding, samples: new Uint8Array(data), sampleCount: data.length };
}
