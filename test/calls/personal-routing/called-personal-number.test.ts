// The called personal directory number from real header samples: Diversion (RFC 5806 and what Asterisk, Cisco
// CUCM and MX-ONE send), History-Info (RFC 7044 examples, RFC 4244-style senders), and To as the last resort.
import test from "ava";
import { calledPersonalNumber } from "../../../cti/calls/personal-routing/called-personal-number.js";
import { parseDiversion, lastDivertingNumber } from "../../../cti/calls/personal-routing/diversion-header.js";
import { parseHistoryInfo, targetedToUser } from "../../../cti/calls/personal-routing/history-info-header.js";
import { parseNameAddrList, uriUser } from "../../../cti/calls/personal-routing/name-addr-list.js";

const headers = (h: Record<string, string[]>) => (name: string) => h[name] ?? [];

test("uriUser takes the user part of sip, sips and tel URIs without user parameters or visual separators", (t) => {
  t.is(uriUser("sip:4711@pbx.example.com"), "4711");
  t.is(uriUser("sips:4711@pbx.example.com:5061;transport=tls"), "4711");
  t.is(uriUser("sip:+4940123;phone-context=example.com@pbx;user=phone"), "+4940123");
  t.is(uriUser("tel:+1-201-555-0123;ext=4"), "+12015550123");
  t.is(uriUser("sip:%2B4711@host"), "+4711");
  t.is(uriUser("sip:pbx.example.com"), undefined, "no user part");
  t.is(uriUser("mailto:a@b"), undefined);
});

test("a name-addr list splits at commas outside quotes and angle brackets only", (t) => {
  const entries = parseNameAddrList(['"Smith, Bob" <sip:4711@pbx;lr>;reason="user-busy";counter=2, sip:4700@pbx;reason=no-answer']);
  t.is(entries.length, 2);
  t.is(entries[0]!.uri, "sip:4711@pbx;lr");
  t.is(entries[0]!.params.get("reason"), "user-busy");
  t.is(entries[0]!.params.get("counter"), "2");
  t.is(entries[1]!.uri, "sip:4700@pbx");
  t.is(entries[1]!.params.get("reason"), "no-answer");
  t.deepEqual(parseNameAddrList(["", " , <>", "garbage <sip:1@x"]), [], "malformed pieces are dropped, not thrown");
});

test("Diversion: the first entry is the most recent diversion (RFC 5806), across header lines too", (t) => {
  // Asterisk chan_pjsip: one header per diversion, newest first.
  const asterisk = ['<sip:4711@192.0.2.10>;reason=unconditional;counter=1;privacy=off', '<sip:4700@192.0.2.10>;reason=no-answer;counter=1'];
  t.deepEqual(parseDiversion(asterisk), [
    { number: "4711", reason: "unconditional" },
    { number: "4700", reason: "no-answer" },
  ]);
  t.is(lastDivertingNumber(asterisk), "4711");
  // Cisco CUCM style, display name and user=phone, both in one line.
  t.is(lastDivertingNumber(['"Agent 7" <sip:4712@10.1.1.1;user=phone>;reason=unconditional;privacy=off;screen=yes, <sip:4000@10.1.1.1>;reason=user-busy']), "4712");
  t.is(lastDivertingNumber(["<tel:+46812345>;reason=deflection"]), "+46812345");
  t.is(lastDivertingNumber([]), undefined);
});

test("History-Info: the targeted-to user is the entry the last mp entry was mapped from (RFC 7044)", (t) => {
  // 4711 reached at its registered contact (rc), then diverted to the CTI group 3100 (mp=1).
  const rfc7044 = ["<sip:4711@pbx.example.com>;index=1", "<sip:4711@10.0.0.7>;index=1.1;rc=1", "<sip:3100@pbx.example.com?Reason=SIP%3Bcause%3D302>;index=1.2;mp=1"];
  t.is(targetedToUser(rfc7044), "4711");
  t.deepEqual(parseHistoryInfo(rfc7044).map((e) => e.index), ["1", "1.1", "1.2"]);
  // Two diversions: the last mp names 1.1 (4712), not the first target.
  t.is(targetedToUser(["<sip:4700@pbx>;index=1, <sip:4712@pbx>;index=1.1;mp=1, <sip:3100@pbx>;index=1.1.1;mp=1.1"]), "4712");
  // An mp without a value: the entry before it.
  t.is(targetedToUser(["<sip:4713@pbx>;index=1,<sip:3100@pbx>;index=1.1;mp"]), "4713");
});

test("History-Info without mp tags (RFC 4244 senders): the entry before the last; a single entry is itself", (t) => {
  t.is(targetedToUser(['<sip:4714@pbx?Reason=SIP%3Bcause%3D302%3Btext%3D%22Moved%22>;index=1', "<sip:3100@pbx>;index=1.1"]), "4714");
  t.is(targetedToUser(["<sip:4715@pbx>;index=1"]), "4715");
  t.is(targetedToUser([]), undefined);
});

test("the called number: Diversion first, then History-Info, then To; the BVD itself is passed over", (t) => {
  const all = {
    Diversion: ["<sip:4711@pbx>;reason=unconditional"],
    "History-Info": ["<sip:4722@pbx>;index=1,<sip:3100@pbx>;index=1.1;mp=1"],
    To: ["<sip:4733@pbx>"],
  };
  t.deepEqual(calledPersonalNumber(headers(all), "3100"), { number: "4711", source: "diversion" });
  t.deepEqual(calledPersonalNumber(headers({ "History-Info": all["History-Info"], To: all.To }), "3100"), { number: "4722", source: "historyInfo" });
  t.deepEqual(calledPersonalNumber(headers({ To: ["\"Agent\" <sip:4733@pbx>;tag=abc"] }), "3100"), { number: "4733", source: "to" });
  t.is(calledPersonalNumber(headers({ To: ["<sip:3100@pbx>"] }), "3100"), undefined, "a call to the BVD itself names no agent");
  t.deepEqual(calledPersonalNumber(headers({ Diversion: ["<sip:3100@pbx>"], To: ["<sip:4733@pbx>"] }), "3100"), { number: "4733", source: "to" });
});
