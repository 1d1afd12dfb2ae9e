// G.711 µ-law (PCMU) and A-law (PCMA), table-driven: every 16-bit sample maps to its code through a 64 KiB table
// built once at load, and every code back to a sample through a 256-entry table, so encoding a prompt is one
// array lookup per sample. The tables follow the reference algorithm (ITU-T G.711, Sun's g711.c).

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;
/** Upper bounds of the eight segments: µ-law on biased 16-bit values, A-law on 13-bit values. */
const ULAW_SEG_END = [0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff, 0x3fff, 0x7fff];
const ALAW_SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segment(value: number, ends: readonly number[]): number {
  for (let i = 0; i < ends.length; i++) if (value <= ends[i]!) return i;
  return ends.length;
}

function linearToUlaw(sample: number): number {
  let mask: number;
  let pcm = sample;
  if (pcm < 0) {
    pcm = ULAW_BIAS - pcm;
    mask = 0x7f;
  } else {
    pcm += ULAW_BIAS;
    mask = 0xff;
  }
  if (pcm > ULAW_CLIP + ULAW_BIAS) pcm = ULAW_CLIP + ULAW_BIAS;
  const seg = segment(pcm, ULAW_SEG_END);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 3)) & 0x0f)) ^ mask;
}

function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + ULAW_BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? ULAW_BIAS - t : t - ULAW_BIAS;
}

function linearToAlaw(sample: number): number {
  let pcm = sample >> 3;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = segment(pcm, ALAW_SEG_END);
  if (seg >= 8) return 0x7f ^ mask;
  let code = seg << 4;
  code |= seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f;
  return code ^ mask;
}

function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode(i >= 32768 ? i - 65536 : i);
  return table;
}

function buildDecodeTable(decode: (code: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) table[i] = decode(i);
  return table;
}

/** Index with `sample & 0xffff`. */
const ULAW_ENCODE = buildEncodeTable(linearToUlaw);
const ALAW_ENCODE = buildEncodeTable(linearToAlaw);
const ULAW_DECODE = buildDecodeTable(ulawToLinear);
const ALAW_DECODE = buildDecodeTable(alawToLinear);

export type G711Law = "ulaw" | "alaw";

/** The code for digital silence (sample 0): 0xFF in µ-law, 0xD5 in A-law. */
export const G711_SILENCE: Readonly<Record<G711Law, number>> = {
  ulaw: ULAW_ENCODE[0]!,
  alaw: ALAW_ENCODE[0]!,
};

/** Encodes 16-bit linear samples into `out` (one byte per sample); returns `out`. */
export function encodeG711(law: G711Law, samples: Int16Array, out: Uint8Array = new Uint8Array(samples.length)): Uint8Array {
  const table = law === "ulaw" ? ULAW_ENCODE : ALAW_ENCODE;
  for (let i = 0; i < samples.length; i++) out[i] = table[samples[i]! & 0xffff]!;
  return out;
}

/** Decodes G.711 codes into 16-bit linear samples; returns `out`. */
export function decodeG711(law: G711Law, codes: Uint8Array, out: Int16Array = new Int16Array(codes.length)): Int16Array {
  const table = law === "ulaw" ? ULAW_DECODE : ALAW_DECODE;
  for (let i = 0; i < codes.length; i++) out[i] = table[codes[i]!]!;
  return out;
}

/** Straight from one law to the other, for relaying between a PCMU leg and a PCMA leg: one lookup per byte instead
 * of going through linear per packet. Each table is the reference decode followed by the reference encode (the
 * same conversion the prompt library makes at load), built once. Index with the code. */
export const ULAW_TO_ALAW: Readonly<Uint8Array> = buildTranscodeTable(ULAW_DECODE, ALAW_ENCODE);
export const ALAW_TO_ULAW: Readonly<Uint8Array> = buildTranscodeTable(ALAW_DECODE, ULAW_ENCODE);

function buildTranscodeTable(decode: Int16Array, encode: Uint8Array): Uint8Array {
  const table = new Uint8Array(256);
  for (let code = 0; code < 256; code++) table[code] = encode[decode[code]! & 0xffff]!;
  return table;
}

/** Converts `bytes[start..end)` from one law to the other in place (a relayed packet's payload). */
export function transcodeG711InPlace(from: G711Law, bytes: Uint8Array, start: number, end: number): void {
  const table = from === "ulaw" ? ULAW_TO_ALAW : ALAW_TO_ULAW;
  for (let i = start; i < end; i++) bytes[i] = table[bytes[i]!]!;
}

/** The code → sample table of a law (256 entries), for decoding straight into a caller's buffer. Read only. */
export function g711DecodeTable(law: G711Law): Readonly<Int16Array> {
  return law === "ulaw" ? ULAW_DECODE : ALAW_DECODE;
}

/** The sample → code table of a law (index `sample & 0xffff`). Read only. */
export function g711EncodeTable(law: G711Law): Readonly<Uint8Array> {
  return law === "ulaw" ? ULAW_ENCODE : ALAW_ENCODE;
}
