// A caller on a lossy UDP path: it ignores the bridge's first 200 OK and its first BYE. The bridge retransmits both
// (2xx until ACK; Timer E for the BYE) and the call still completes, with its media port back in the pool.
import test from "ava";
import { RawUdpPeer, responseTo } from "../sip/raw-udp-peer.js";
import { startDaemonFixture, eventually } from "./daemon-fixture.js";

function inviteWithSdp(port: number, callId: string): string {
  const sdp = [
    "v=0", "o=peer 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
    `m=audio ${port + 2} RTP/AVP 0 101`, "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", "",
  ].join("\r\n");
  return [
    "INVITE sip:2999@127.0.0.1 SIP/2.0",
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-lossy-1;rport`,
    "Max-Forwards: 70",
    `From: <sip:3001@127.0.0.1:${port}>;tag=lossy`,
    "To: <sip:2999@127.0.0.1>",
    `Call-ID: ${callId}`,
    "CSeq: 1 INVITE",
    `Contact: <sip:3001@127.0.0.1:${port}>`,
    "Content-Type: application/sdp",
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    "",
    sdp,
  ].join("\r\n");
}

const header = (message: string, name: string) =>
  message.split("\r\n").find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();

test("a UDP caller that ignores the first 200 OK and the first BYE still completes the call", async (t) => {
  const f = await startDaemonFixture({ t });
  const peer = await RawUdpPeer.open();
  t.teardown(() => peer.close());
  const callId = `lossy-${Date.now()}@127.0.0.1`;
  let oks = 0;
  let byes = 0;
  let acked = false;
  const completed = new Promise<void>((resolve) => {
    peer.onMessage = (text) => {
      if (text.startsWith("SIP/2.0 200") && header(text, "CSeq")?.endsWith("INVITE")) {
        if (++oks === 1) return; // lost
        if (acked) return;
        acked = true;
        const toTag = /;tag=([^;\s>]+)/.exec(header(text, "To") ?? "")?.[1];
        const contact = /<([^>]+)>/.exec(header(text, "Contact") ?? "")?.[1] ?? `sip:2999@127.0.0.1:${f.sipPort}`;
        void peer.send(
          `ACK ${contact} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-lossy-ack;rport\r\nMax-Forwards: 70\r\n` +
            `From: <sip:3001@127.0.0.1:${peer.port}>;tag=lossy\r\nTo: <sip:2999@127.0.0.1>;tag=${toTag}\r\nCall-ID: ${callId}\r\n` +
            "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
          f.sipPort,
        );
      } else if (text.startsWith("BYE ")) {
        if (++byes === 1) return; // lost
        void peer.send(responseTo(text, "200 OK"), f.sipPort).then(() => resolve());
      }
    };
  });
  await peer.send(inviteWithSdp(peer.port, callId), f.sipPort);
  await completed;
  t.true(oks >= 2, "the 200 OK was retransmitted until the ACK");
  t.true(byes >= 2, "the BYE was retransmitted (Timer E)");
  await eventually(() => (f.daemon.activeCalls === 0 ? true : undefined), 5000, "the call to end");
  t.is(f.daemon.media.portsFree, f.daemon.media.portsTotal);
  t.true(f.daemon.sip.stats.retransmissions >= 1);
});
