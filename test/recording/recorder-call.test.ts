// The recorder's offer is answered send-only: the bridge's answer to a recorder says a=sendonly, whatever the
// recorder offered that lets it receive.
import test from "ava";
import { JoinRefused, listeningOffer } from "../../cti/recording/recorder-call.js";
import { audioOffer, newServer } from "../media/media-test-helpers.js";

test("a sendrecv or recvonly offer is answered a=sendonly by a real media endpoint, which then sends", async (t) => {
  const server = await newServer(2);
  t.teardown(() => server.close());
  for (const direction of ["sendrecv", "recvonly"]) {
    const endpoint = await server.open();
    const answer = endpoint.answer(listeningOffer(audioOffer(40000, { direction })));
    t.regex(answer, /^a=sendonly\r?$/m, direction);
    t.is(endpoint.negotiated?.direction, "sendonly");
    endpoint.close();
  }
});

test("an offer without a direction, or with one at session level, is made recvonly for every stream", (t) => {
  const plain = audioOffer(40000).replace(/^a=sendrecv\r\n/m, "");
  t.regex(listeningOffer(plain), /^a=recvonly\r?$/m);
  const sessionLevel = plain.replace("t=0 0\r\n", "t=0 0\r\na=sendrecv\r\n");
  const out = listeningOffer(sessionLevel);
  t.is(out.match(/^a=(sendrecv|recvonly|sendonly|inactive)/gm)?.join(","), "a=recvonly", "one direction, on the media line");
});

test("a recorder offering to send only, or inactive, is refused 488 (it would hear nothing)", (t) => {
  for (const direction of ["sendonly", "inactive"]) {
    const e = t.throws(() => listeningOffer(audioOffer(40000, { direction })));
    t.true(e instanceof JoinRefused);
    t.is((e as JoinRefused).sipStatus, 488, direction);
    t.regex(e!.message, new RegExp(`offered a ${direction} stream`));
  }
});
