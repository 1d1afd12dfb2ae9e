import test from "ava";
import { isRecordingUser, looksLikeRecordingUser, maskRecordingUser, newRecordingUser, recordingUri } from "../../cti/recording/recording-token.js";

test("a recording user is rec- and 128 random bits in hex; 10 000 of them are all different", (t) => {
  const users = new Set<string>();
  for (let i = 0; i < 10_000; i++) users.add(newRecordingUser());
  t.is(users.size, 10_000);
  for (const user of [...users].slice(0, 100)) {
    t.regex(user, /^rec-[0-9a-f]{32}$/);
    t.true(isRecordingUser(user));
  }
  // Every hex digit position varies: no fixed part an attacker could skip.
  const sample = [...users];
  for (let i = 4; i < 36; i++) t.true(new Set(sample.map((u) => u[i])).size === 16, `position ${i}`);
});

test("well-formed tokens only are looked up; anything starting rec- is the recording feature's", (t) => {
  t.false(isRecordingUser("rec-123"));
  t.false(isRecordingUser(`rec-${"A".repeat(32)}`), "upper case is not what the bridge hands out");
  t.false(isRecordingUser(`rec-${"a".repeat(33)}`));
  t.true(looksLikeRecordingUser("rec-123"));
  t.false(looksLikeRecordingUser("3000"));
});

test("the masked form keeps 8 hex digits (96 bits hidden); the URI is the bridge's SIP address", (t) => {
  const user = newRecordingUser();
  const masked = maskRecordingUser(user);
  t.is(masked, `${user.slice(0, 12)}…`);
  t.false(masked.includes(user.slice(12)));
  t.is(maskRecordingUser("rec-12"), "rec-12");
  t.is(recordingUri(user, "192.0.2.10", 5080), `sip:${user}@192.0.2.10:5080`);
});
