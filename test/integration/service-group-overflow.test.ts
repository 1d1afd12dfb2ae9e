// Leaving the queue and hearing it: maximum wait → overflow to another group or to a number, queue priority, and
// the periodic position / estimated wait announcement, all against the real daemon, Kamailio and SIPp.
import test from "ava";
import { startCall } from "../harness/sipp.js";
import { startRtpSink } from "../harness/rtp-sink.js";
import { eventually } from "./daemon-fixture.js";
import { PromptLibrary } from "../../ivr/media/prompt-library.js";
import { acdFixture, agentPhone, agentState, allPortsFree, logOn, SALES_BVDS } from "./acd-fixture.js";

const notReady = (httpUrl: string, logonId: string) =>
  fetch(`${httpUrl}/agents/${logonId}/notready`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });

test("after the maximum wait a caller overflows to another group and reaches its agent there, keeping its age", async (t) => {
  const f = await acdFixture(t, `
serviceAccesses:
  - { id: sales-line, serviceGroup: Sales }
  - { id: support-line, serviceGroup: Support }
serviceGroups:
  - { id: Sales, agents: ["1002"], maxWait: 1s, overflow: { serviceGroup: Support }, ringTime: 3s }
  - { id: Support, agents: ["1001"], ringTime: 3s }
`);
  const phone = await agentPhone(f, t, "1001", { hangupAfterMs: 300 });
  await agentPhone(f, t, "1002");
  await logOn(f, "1002", "1002");
  await notReady(f.httpUrl, "1002"); // Sales is open (a member is logged on) but nobody takes the call
  await logOn(f, "1001", "1001");
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5561", hangup: "remote", byeTimeoutMs: 15_000, t });
  const invite = await phone.waitForInvite(1, 5000);
  t.regex(invite.text, /^X-CTI-Service-Group: Support$/m);
  const overflowed = f.events.find((e) => e.event === "call.overflowed")!;
  t.like(overflowed.data, { reason: "maxWait", destination: "serviceGroup:Support", serviceGroup: "Sales" });
  const queued = f.events.filter((e) => e.event === "call.queued");
  t.true(overflowed.at - queued[0]!.at >= 950, "not before the maximum wait");
  t.like(queued[1]?.data, { serviceGroup: "Support" });
  await caller.done;
  await allPortsFree(f);
  const callId = overflowed.data.callId as string;
  const visits = await eventually(async () => {
    const rows = await f.daemon.store.callDetails.visits(-1, callId);
    return rows.length === 2 && rows[1]!.endedAt ? rows : undefined;
  }, 3000, "two CDR visits");
  t.deepEqual(visits.map((v) => [v.serviceGroup, v.outcome]), [["Sales", "overflowed"], ["Support", "answered"]]);
});

test("overflow to a number: the bridge calls it with the caller's identity and joins the two legs", async (t) => {
  const f = await acdFixture(t, `
serviceAccesses:
  - { id: sales-line, serviceGroup: Sales }
  - { id: support-line, serviceGroup: Support }
serviceGroups:
  - { id: Sales, agents: ["1002"], maxWait: 1s, overflow: { number: "1009" } }
  - { id: Support, agents: ["1001"] }
`);
  await agentPhone(f, t, "1002");
  await logOn(f, "1002", "1002");
  await notReady(f.httpUrl, "1002");
  const operator = await agentPhone(f, t, "1009", { hangupAfterMs: 500 });
  const caller = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5562", hangup: "remote", byeTimeoutMs: 15_000, t });
  const invite = await operator.waitForInvite(1, 5000);
  t.regex(invite.text, /^From: .*<sip:5562@/m);
  t.like(f.events.find((e) => e.event === "call.overflowed")?.data, { reason: "maxWait", destination: "number:1009" });
  // Integrations still see the call while the bridge puts it through elsewhere.
  const calls = (await f.getJson<{ state: string; caller: { number: string }; serviceGroup: string }[]>("/calls")).body;
  t.like(calls.find((c) => c.caller.number === "5562"), { state: "routed", serviceGroup: "Sales" });
  const result = await caller.done;
  t.true(result.received.byeFromRemote, "the operator hung up and the bridge cleared the caller");
  await allPortsFree(f);
});

test("queue order: a higher-priority service access goes first; the announcement tells the caller its place", async (t) => {
  const f = await acdFixture(
    t,
    `
serviceAccesses:
  - { id: sales-line, serviceGroup: Sales }
  - { id: vip-line, serviceGroup: Sales, priority: 5 }
serviceGroups:
  - id: Sales
    agents: "*"
    music: null
    announcement: { interval: 1s, position: true, estimatedWait: true }
`,
    `${SALES_BVDS.split("\n")[0]}\n  - { number: 3002, kind: serviceAccess, serviceAccess: vip-line }`,
  );
  const phone = await agentPhone(f, t, "1001", { hangupAfterMs: 300 });
  await logOn(f, "1001", "1001");
  await notReady(f.httpUrl, "1001");
  const sink = await startRtpSink({ t });
  const first = await startCall({ proxyPort: f.kamailio.port, dialed: "3000", from: "5563", sdpMediaPort: sink.port, hangup: "remote", byeTimeoutMs: 20_000, t });
  await eventually(() => (f.events.some((e) => e.event === "call.queued") ? true : undefined), 3000, "first call queued");
  const vip = await startCall({ proxyPort: f.kamailio.port, dialed: "3002", from: "5564", hangup: "remote", byeTimeoutMs: 20_000, t });
  await eventually(() => (f.events.filter((e) => e.event === "call.queued").length === 2 ? true : undefined), 3000, "vip call queued");
  t.like(f.events.filter((e) => e.event === "call.queued")[1]!.data, { serviceAccess: "vip-line", position: 1, priority: 5 });

  // The first caller, now second in line, hears "You are number" "two" "in the queue" …
  const prompts = new PromptLibrary();
  const frame = async (name: string) => (await prompts.load(name)).pcmu.subarray(0, 160);
  const heard = async (name: string) => {
    const wanted = await frame(name);
    return sink.payloads(0).some((p) => p.equals(wanted)) ? true : undefined;
  };
  await eventually(() => heard("queue-position"), 4000, "the position announcement");
  await eventually(() => heard("number-2"), 4000, "the caller's place: two");
  await eventually(() => heard("queue-estimated-wait"), 6000, "the estimated wait");

  await fetch(`${f.httpUrl}/agents/1001/ready`, { method: "POST" });
  const invite = await phone.waitForInvite(1, 5000);
  t.regex(invite.text, /^From: .*<sip:5564@/m, "the priority caller first");
  await vip.done;
  await phone.waitForInvite(2, 10_000);
  await first.done;
  await eventually(() => (agentState(f, "1001") === "idleReady" ? true : undefined), 3000, "agent idle");
  await allPortsFree(f);
});
