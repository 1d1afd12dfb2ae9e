// The feature code detector on a media endpoint's key events: the code anywhere in the keys, once; keys too far
// apart start over; stop() detaches.
import test from "ava";
import { TypedEmitter } from "../../../cti/events/typed-emitter.js";
import type { MediaEndpointEvents } from "../../../ivr/media/media-endpoint.js";
import { FEATURE_CODE_KEY_GAP_MS, watchFeatureCode } from "../../../cti/calls/customer-authentication/feature-code-detector.js";

function keys() {
  let now = 0;
  const endpoint = new TypedEmitter<MediaEndpointEvents>();
  return {
    endpoint,
    clock: () => now,
    press(digits: string, gapMs = 200) {
      for (const d of digits) {
        now += gapMs;
        endpoint.safeEmit("dtmf", d as never, "rfc4733");
      }
    },
  };
}

test("the code after other keys triggers once; later keys do nothing", (t) => {
  const k = keys();
  let hits = 0;
  watchFeatureCode(k.endpoint, "*7", () => hits++, k.clock);
  k.press("12*");
  t.is(hits, 0);
  k.press("7");
  t.is(hits, 1);
  k.press("*7");
  t.is(hits, 1, "detached after the first hit");
  t.is(k.endpoint.listenerCount("dtmf"), 0);
});

test("keys further apart than the gap start over; stop() detaches", (t) => {
  const k = keys();
  let hits = 0;
  const watch = watchFeatureCode(k.endpoint, "*7", () => hits++, k.clock);
  k.press("*");
  k.press("7", FEATURE_CODE_KEY_GAP_MS + 1);
  t.is(hits, 0, "a slow * … 7 is not the code");
  watch.stop();
  k.press("*7");
  t.is(hits, 0);
  t.is(k.endpoint.listenerCount("dtmf"), 0);
});
