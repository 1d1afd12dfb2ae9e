// The unguessable part of a recording URI: 128 random bits, written as `rec-<32 hex digits>` in the user part
// (`sip:rec-<hex>@<sip.address>:<sip.port>`). Whoever holds the URI can listen to the conversation (from an
// allowed recorder address), so a token is never logged whole: logs and events carry masked() instead.
import { randomBytes } from "node:crypto";

const PREFIX = "rec-";
const TOKEN_BYTES = 16;
/** Hex digits a masked token keeps: enough to match log lines up, far too few to guess the rest (96 bits hidden). */
const SHOWN_HEX = 8;
const RECORDING_USER = /^rec-[0-9a-f]{32}$/;

/** A fresh Request-URI user for a recording URI: `rec-` and 32 lower-case hex digits. */
export function newRecordingUser(): string {
  return PREFIX + randomBytes(TOKEN_BYTES).toString("hex");
}

/** Whether a Request-URI user is meant for the recording feature (well-formed or not: `rec-…`). */
export function looksLikeRecordingUser(user: string): boolean {
  return user.startsWith(PREFIX);
}

/** Whether a Request-URI user is a well-formed recording token (the only ones looked up). */
export function isRecordingUser(user: string): boolean {
  return RECORDING_USER.test(user);
}

/** `rec-1a2b3c4d…`: the user part as logs and events show it. */
export function maskRecordingUser(user: string): string {
  const shown = PREFIX.length + SHOWN_HEX;
  return user.length > shown ? `${user.slice(0, shown)}…` : user;
}

/** The recording URI of a user part at the bridge's SIP address. */
export function recordingUri(user: string, host: string, port: number): string {
  return `sip:${user}@${host}:${port}`;
}
