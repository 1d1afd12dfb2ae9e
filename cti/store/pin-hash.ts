// PINs are stored as salted scrypt hashes with their parameters, so the cost can be raised later and old hashes
// still verify. Verification always runs scrypt, also for unknown users, so timing does not reveal whether a
// logon ID exists or whether a PIN was close.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { CtiError, Errors } from "../errors.js";

const SCHEME = "scrypt";
/** N=2^14, r=8, p=1: 16 MiB and roughly 30-60 ms per hash, the interactive-logon figure from the scrypt paper. */
export const PIN_HASH_PARAMETERS = { N: 16384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Hand-edited rows must not make us allocate gigabytes. */
const MAX_N = 1 << 20;

const PIN_PATTERN = /^[0-9]{4,12}$/;

export function isValidPin(pin: string): boolean {
  return PIN_PATTERN.test(pin);
}

/** Throws PIN_INVALID unless the PIN is 4 to 12 digits (what a phone agent can key on a keypad). */
export function assertValidPin(pin: string): void {
  if (!isValidPin(pin)) throw new CtiError(Errors.PIN_INVALID);
}

function scryptAsync(secret: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function maxmemFor(N: number, r: number): number {
  return 128 * N * r * 2;
}

export async function hashPin(pin: string): Promise<string> {
  const { N, r, p } = PIN_HASH_PARAMETERS;
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(pin, salt, KEY_BYTES, { N, r, p, maxmem: maxmemFor(N, r) });
  return [SCHEME, N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== SCHEME) return undefined;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every(Number.isSafeInteger) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) {
    return undefined;
  }
  const salt = Buffer.from(parts[4] ?? "", "base64");
  const key = Buffer.from(parts[5] ?? "", "base64");
  if (salt.length === 0 || key.length === 0) return undefined;
  return { N, r, p, salt, key };
}

/**
 * True when `pin` matches `stored`. A malformed stored hash never matches, but still costs one hash with the
 * default parameters so it is not distinguishable by timing either.
 */
export async function verifyPinHash(pin: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) {
    await burnPinHashTime(pin);
    return false;
  }
  const { N, r, p, salt, key } = parsed;
  const candidate = await scryptAsync(pin, salt, key.length, { N, r, p, maxmem: maxmemFor(N, r) });
  return timingSafeEqual(candidate, key);
}

let dummyHash: Promise<string> | undefined;

/** Spends the same time as verifying a real hash; used when there is no user to verify against. */
export async function burnPinHashTime(pin: string): Promise<void> {
  dummyHash ??= hashPin(randomBytes(8).toString("hex"));
  const stored = await dummyHash;
  const parsed = parseHash(stored);
  if (!parsed) return;
  const { N, r, p, salt, key } = parsed;
  const candidate = await scryptAsync(pin, salt, key.length, { N, r, p, maxmem: maxmemFor(N, r) });
  timingSafeEqual(candidate, key);
}
