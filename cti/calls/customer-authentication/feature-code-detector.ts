// Watches the keys an agent presses during a conversation for the customer authentication feature code (say "*7").
// Keys reach the bridge on the agent leg (RFC 4733 through the bridge's media, or SIP INFO handed to the endpoint);
// they are still relayed to the caller, as on any conversation. Keys further apart than the pause below start over,
// so a code keyed by accident over a long call does not add up.
import type { MediaEndpointEvents } from "../../../ivr/media/media-endpoint.js";

/** Longest pause between two keys of one feature code. */
export const FEATURE_CODE_KEY_GAP_MS = 3000;

type KeyListener = (...args: MediaEndpointEvents["dtmf"]) => void;

/** What the detector listens to: an agent leg's media endpoint. */
export interface KeySource {
  on(event: "dtmf", listener: KeyListener): unknown;
  off(event: "dtmf", listener: KeyListener): unknown;
}

/** Calls `onCode` once when the endpoint's keys spell `code`; `stop()` detaches. */
export function watchFeatureCode(endpoint: KeySource, code: string, onCode: () => void, now: () => number = () => performance.now()): { stop(): void } {
  let typed = "";
  let lastAt = -Infinity;
  let done = false;
  const listener = (digit: string): void => {
    if (done) return;
    const at = now();
    if (at - lastAt > FEATURE_CODE_KEY_GAP_MS) typed = "";
    lastAt = at;
    typed = (typed + digit).slice(-code.length);
    if (typed === code) {
      stop();
      onCode();
    }
  };
  const stop = (): void => {
    done = true;
    endpoint.off("dtmf", listener);
  };
  endpoint.on("dtmf", listener);
  return { stop };
}
