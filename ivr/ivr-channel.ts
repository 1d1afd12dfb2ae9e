// What the script engine needs from a call: play prompts, hear keys, hang up. The call layer implements it over
// SIP and the media endpoint; tests implement it in memory.

import type { CallHandOff } from "./call-hand-off.js";

export type PlayResult = "completed" | "interrupted" | "closed";

export interface IvrChannel {
  readonly callId: string;
  /** Plays prompts in order; with interruptOnDtmf a key press stops playback ("interrupted"). */
  play(prompts: string[], options: { interruptOnDtmf: boolean }): Promise<PlayResult>;
  /** Subscribes to keys (RFC 4733 or SIP INFO); returns the unsubscribe function. */
  onDigit(listener: (digit: string) => void): () => void;
  /** Subscribes to the end of the call (either side); returns the unsubscribe function. */
  onEnded(listener: () => void): () => void;
  readonly ended: boolean;
  hangup(): Promise<void>;
  /** Handing the call on (deflect, divert, queue blocks); absent where the call cannot be handed on. */
  readonly handOff?: CallHandOff;
}

/** Facts about the call a script can read as ${ANI}, ${DNIS}, … */
export interface CallFacts {
  /** Calling number (the From user: for a phone agent, the extension). */
  ANI: string;
  /** Dialled number (the BVD). */
  DNIS: string;
  CALL_ID: string;
  CALL_MANAGER: string;
  SOURCE_ADDRESS: string;
  /** Settings the daemon exposes to scripts, e.g. LOGON_ATTEMPTS. */
  [setting: string]: string;
}
