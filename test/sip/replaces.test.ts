// The Replaces value of an attended transfer's Refer-To (RFC 3891 6.1, percent-encoded in the URI, RFC 5589): what
// the bridge reads from it and sends on in its INVITE's Replaces header.
import test from "ava";
import { parseReplaces } from "../../cti/sip/incoming-refer.js";

test("a Refer-To's percent-encoded Replaces: Call-ID, to-tag and from-tag in either order, the header value rebuilt", (t) => {
  t.deepEqual(parseReplaces("a84b4c76e66710%40pc33.example.com%3Bto-tag%3D314159%3Bfrom-tag%3D8675309"), {
    callId: "a84b4c76e66710@pc33.example.com", toTag: "314159", fromTag: "8675309", earlyOnly: false,
    header: "a84b4c76e66710@pc33.example.com;to-tag=314159;from-tag=8675309",
  });
  t.like(parseReplaces("abc%3Bfrom-tag%3D2%3BTo-Tag%3D1%3Bearly-only"), { callId: "abc", toTag: "1", fromTag: "2", earlyOnly: true, header: "abc;to-tag=1;from-tag=2;early-only" });
  t.like(parseReplaces("abc;to-tag=1;from-tag=2"), { callId: "abc", toTag: "1", fromTag: "2" }, "already decoded");
});

test("a Replaces the bridge cannot send on is refused: a tag missing, an empty Call-ID, line breaks or spaces, bad escapes", (t) => {
  for (const bad of ["abc%3Bto-tag%3D1", "abc%3Bfrom-tag%3D2", "%3Bto-tag%3D1%3Bfrom-tag%3D2", "abc%0D%0AX-Evil%3A1%3Bto-tag%3D1%3Bfrom-tag%3D2", "a b%3Bto-tag%3D1%3Bfrom-tag%3D2", "abc%3Bto-tag%3D1%0Ax%3Bfrom-tag%3D2", "abc%3Bto-tag%3D%3Bfrom-tag%3D2", "abc%E0%A4%A"]) {
    t.is(parseReplaces(bad), undefined, bad);
  }
});
