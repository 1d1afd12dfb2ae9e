// SIPp peers for tests: registered phones, callers (with RFC 2833 DTMF), an OPTIONS responder, and runSipp() for
// custom scenarios. Every instance gets its own SIP port, media ports and trace files in the test's temp dir.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { startChild, type ChildProcessHandle } from "./child.js";
import { freePortRange, freeTcpUdpPort, isListening } from "./free-port.js";
import { renderCallScenario, renderPhoneScenario, renderTemplate, type CallScenarioOptions, type PhoneScenarioOptions } from "./sipp-scenario.js";
import { parseSippTrace, summarizeCallerTrace, type SippTracedMessage } from "./sipp-trace.js";
import { testTempDir, type TempDir } from "./temp-dir.js";
import type { TeardownContext } from "./teardown-context.js";

export type SipTransport = "udp" | "tcp";

export interface RunSippOptions {
  t?: TeardownContext;
  /** Folder for scenario, trace and log files (default: a new temp dir). */
  dir?: TempDir;
  /** Name for the files and messages (default "sipp"). Must be unique within dir. */
  name?: string;
  /** Out-of-call scenario (-oocsf): handles incoming requests with a new Call-ID. */
  oocScenarioXml?: string;
  transport?: SipTransport;
  /** Local SIP port (-p); default: a free one. */
  localPort?: number;
  /** Local media port (-mp); default: the start of a free range of 4. */
  mediaPort?: number;
  /** Kill SIPp if it has not finished after this long (default 60000 ms). */
  timeoutMs?: number;
}

export interface SippResult {
  exitCode: number | null;
  /** The -trace_msg log: every SIP message sent and received. */
  messages: string;
  received: { byeFromRemote: boolean; finalStatus?: number };
}

export interface SippProcess {
  readonly pid: number;
  readonly host: "127.0.0.1";
  readonly localPort: number;
  readonly mediaPort: number;
  readonly transport: SipTransport;
  readonly process: ChildProcessHandle;
  readonly messagesPath: string;
  /** Trace so far. */
  messages(): string;
  /** Parsed trace so far. */
  parsedMessages(): SippTracedMessage[];
  /** Wait until a traced message satisfies `match`. */
  waitForMessage(match: (m: SippTracedMessage) => boolean, what: string, timeoutMs?: number): Promise<SippTracedMessage>;
  /** Resolves when SIPp exits by itself (or is stopped). */
  readonly done: Promise<SippResult>;
  stop(): Promise<SippResult>;
}

const isRoot = process.getuid?.() === 0;

/**
 * Run SIPp with a scenario given as XML text. Standard arguments are added: `-i/-mi 127.0.0.1 -nostdin -p -mp
 * -t -trace_msg -trace_err`; `args` add the rest (remote host:port, `-s`, `-m`, `-d`, `-key` ...). Resolves once
 * SIPp listens on its SIP port; `done` resolves when it exits.
 */
export async function runSipp(args: readonly string[], scenarioXml: string, opts: RunSippOptions = {}): Promise<SippProcess> {
  // A free port can be taken between probing and SIPp's bind (shared loopback): retry with another one.
  for (let attempt = 1; ; attempt++) {
    const sipp = await runSippOnce(args, scenarioXml, opts);
    if (opts.localPort !== undefined || attempt >= 3 || sipp.process.running) return sipp;
    const exit = await sipp.done;
    if (exit.exitCode === 0 || !/bind|already in use/i.test(sipp.process.readLog())) return sipp;
  }
}

async function runSippOnce(args: readonly string[], scenarioXml: string, opts: RunSippOptions): Promise<SippProcess> {
  const dir = opts.dir ?? testTempDir(opts.t, opts.name ?? "sipp");
  let name = opts.name ?? "sipp";
  // Several SIPp runs of one test share its folder: never overwrite another run's files.
  for (let n = 2; existsSync(dir.join(`${name}.xml`)); n++) name = `${opts.name ?? "sipp"}-${n}`;
  const transport = opts.transport ?? "udp";
  const localPort = opts.localPort ?? (await freeTcpUdpPort());
  const mediaPort = opts.mediaPort ?? (await freePortRange(4));
  const scenarioPath = dir.join(`${name}.xml`);
  writeFileSync(scenarioPath, scenarioXml);
  const messagesPath = dir.join(`${name}.msg`);
  const full = [
    "-sf", scenarioPath,
    "-i", "127.0.0.1", "-mi", "127.0.0.1",
    "-p", String(localPort), "-mp", String(mediaPort),
    "-t", transport === "tcp" ? "t1" : "u1",
    "-nostdin",
    "-trace_msg", "-message_file", messagesPath,
    "-trace_err", "-error_file", dir.join(`${name}.err`),
  ];
  if (opts.oocScenarioXml !== undefined) {
    const ooc = dir.join(`${name}-ooc.xml`);
    writeFileSync(ooc, opts.oocScenarioXml);
    full.push("-oocsf", ooc);
  }
  full.push(...args);
  // play_pcap_audio sends from a raw socket (CAP_NET_RAW): root has it; otherwise ask setpriv for it.
  const needsRaw = /play_pcap_audio/.test(scenarioXml + (opts.oocScenarioXml ?? ""));
  const proc =
    needsRaw && !isRoot
      ? startChild({
          name, command: "setpriv", args: ["--inh-caps=+net_raw", "--ambient-caps=+net_raw", "sipp", ...full],
          dir: dir.path, t: opts.t, graceMs: 1000,
        })
      : startChild({ name, command: "sipp", args: full, dir: dir.path, t: opts.t, graceMs: 1000 });

  const timeoutMs = opts.timeoutMs ?? 60000;
  const killer = setTimeout(() => void proc.stop(), timeoutMs);
  killer.unref();
  const readTrace = () => readText(messagesPath);
  const done: Promise<SippResult> = proc.exited.then((exit) => {
    clearTimeout(killer);
    const messages = readTrace();
    return { exitCode: exit.code, messages, received: summarizeCallerTrace(messages) };
  });

  const listening = () => isListening(localPort, transport) || (transport === "tcp" && isListening(localPort, "udp"));
  await proc.waitUntil(() => listening() || !proc.running, `SIPp listening on ${localPort}`, 5000, 5).catch(async (e) => {
    await proc.stop();
    throw e;
  });

  const self: SippProcess = {
    pid: proc.pid,
    host: "127.0.0.1",
    localPort,
    mediaPort,
    transport,
    process: proc,
    messagesPath,
    messages: readTrace,
    parsedMessages: () => parseSippTrace(readTrace()),
    async waitForMessage(match, what, wait = 10000) {
      let found: SippTracedMessage | undefined;
      await proc.waitUntil(() => (found = parseSippTrace(readTrace()).find(match)) !== undefined, what, wait, 10);
      return found as unknown as SippTracedMessage;
    },
    done,
    async stop() {
      await proc.stop();
      return done;
    },
  };
  return self;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return "";
  }
}

function proxyTarget(o: { proxyPort?: number; target?: string }): string {
  if (o.target !== undefined) {
    if (!/^[\w.-]+:\d+$/.test(o.target)) throw new Error(`target must be host:port, got ${JSON.stringify(o.target)}`);
    return o.target;
  }
  if (o.proxyPort === undefined) throw new Error("give proxyPort or target");
  return `127.0.0.1:${o.proxyPort}`;
}

let counter = 0;
const uniqueName = (kind: string, label: string) => `${kind}-${label.replace(/[^\w.-]+/g, "_")}-${++counter}`;

// ---------------------------------------------------------------------------------------------------------------
// Registered phone

export interface RegisteredPhoneOptions extends PhoneScenarioOptions {
  /** Kamailio's port on 127.0.0.1. */
  proxyPort: number;
  /** Extension to register. */
  user: string;
  transport?: SipTransport;
  t?: TeardownContext;
  dir?: TempDir;
  /** How long to wait for the 200 to REGISTER (default 5000 ms). */
  registerTimeoutMs?: number;
}

export interface RegisteredPhone extends SippProcess {
  readonly user: string;
  /** INVITEs received so far (one per incoming call; retransmissions not counted). */
  invitesReceived(): SippTracedMessage[];
  /** Wait for the n-th (1-based, default 1) incoming INVITE. */
  waitForInvite(n?: number, timeoutMs?: number): Promise<SippTracedMessage>;
}

/**
 * A phone that REGISTERs `user` with the proxy and handles every incoming call by `answer` until stopped.
 * Resolves once the registrar answered 200.
 */
export async function registeredPhone(o: RegisteredPhoneOptions): Promise<RegisteredPhone> {
  if (!/^[\w.+*#-]+$/.test(o.user)) throw new Error(`registeredPhone: bad user ${JSON.stringify(o.user)}`);
  const dir = o.dir ?? testTempDir(o.t, `phone-${o.user}`);
  const ooc = renderPhoneScenario({
    answer: o.answer,
    ...(o.ringMs !== undefined ? { ringMs: o.ringMs } : {}),
    ...(o.hangupAfterMs !== undefined ? { hangupAfterMs: o.hangupAfterMs } : {}),
    ...(o.sdpMediaPort !== undefined ? { sdpMediaPort: o.sdpMediaPort } : {}),
    ...(o.sdpPayloads !== undefined ? { sdpPayloads: o.sdpPayloads } : {}),
  });
  const sipp = await runSipp(
    // -d: how long the registration scenario pauses (stays registered): until stopped, in practice.
    [proxyTarget(o), "-s", o.user, "-m", "1", "-d", "86400000"],
    renderTemplate("register-and-wait.xml", {}),
    {
      name: uniqueName("phone", o.user),
      dir,
      oocScenarioXml: ooc,
      transport: o.transport ?? "udp",
      timeoutMs: 86_400_000,
      ...(o.t ? { t: o.t } : {}),
    },
  );
  await sipp.waitForMessage(
    (m) => m.direction === "received" && m.cseqMethod === "REGISTER" && m.status === 200,
    `200 to REGISTER ${o.user}`,
    o.registerTimeoutMs ?? 5000,
  );
  const invites = () => {
    const seen = new Set<string>();
    return sipp.parsedMessages().filter((m) => {
      if (m.direction !== "received" || m.method !== "INVITE" || m.callId === undefined) return false;
      if (seen.has(m.callId)) return false;
      seen.add(m.callId);
      return true;
    });
  };
  return {
    ...sipp,
    user: o.user,
    invitesReceived: invites,
    async waitForInvite(n = 1, timeoutMs = 10000) {
      await sipp.process.waitUntil(() => invites().length >= n, `INVITE #${n} to ${o.user}`, timeoutMs, 10);
      return invites()[n - 1] as SippTracedMessage;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Caller

export interface CallOptions extends CallScenarioOptions {
  /** Call through Kamailio on 127.0.0.1:proxyPort ... */
  proxyPort?: number;
  /** ... or straight to host:port (e.g. the daemon). */
  target?: string;
  transport?: SipTransport;
  /** Local SIP port (default: a free one); e.g. the daemon's port, to call as the daemon would. */
  localPort?: number;
  t?: TeardownContext;
  dir?: TempDir;
  /** Give up (SIPp fails the call, or is killed) after this long (default 60000 ms). */
  timeoutMs?: number;
}

/** Start a call and return at once; `done` resolves with the result when the call is over. */
export async function startCall(o: CallOptions): Promise<SippProcess> {
  const dir = o.dir ?? testTempDir(o.t, `call-${o.dialed}`);
  const timeoutMs = o.timeoutMs ?? 60000;
  const name = uniqueName("call", `${o.from}-to-${o.dialed}`);
  return runSipp(
    [proxyTarget(o), "-s", o.dialed, "-m", "1", "-l", "1", "-timeout", `${Math.ceil(timeoutMs / 1000)}s`, "-timeout_error"],
    renderCallScenario(o, dir.path, name),
    {
      name,
      dir,
      transport: o.transport ?? "udp",
      timeoutMs: timeoutMs + 5000,
      ...(o.localPort !== undefined ? { localPort: o.localPort } : {}),
      ...(o.t ? { t: o.t } : {}),
    },
  );
}

/**
 * Place one call and wait until it is over. `exitCode` 0 means the scenario ran as written (expected final
 * status, DTMF sent, hangup done); `received` says what the far end did.
 */
export async function call(o: CallOptions): Promise<SippResult> {
  return (await startCall(o)).done;
}

// ---------------------------------------------------------------------------------------------------------------
// OPTIONS responder

export interface OptionsResponderOptions {
  /** Port to answer on (default: a free one). */
  port?: number;
  transport?: SipTransport;
  t?: TeardownContext;
  dir?: TempDir;
}

export interface OptionsResponder {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly pid: number;
  readonly process: ChildProcessHandle;
  /** OPTIONS requests answered so far. */
  count(): number;
  /** Wait until at least n OPTIONS were answered. */
  waitForCount(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A SIP peer on 127.0.0.1 that answers every OPTIONS with 200 (a call manager's keepalive target). */
export async function optionsResponder(o: OptionsResponderOptions = {}): Promise<OptionsResponder> {
  const sipp = await runSipp([], renderTemplate("options-responder.xml", {}), {
    name: uniqueName("options", String(o.port ?? "any")),
    transport: o.transport ?? "udp",
    timeoutMs: 86_400_000,
    ...(o.port !== undefined ? { localPort: o.port } : {}),
    ...(o.dir ? { dir: o.dir } : {}),
    ...(o.t ? { t: o.t } : {}),
  });
  const count = () => sipp.parsedMessages().filter((m) => m.direction === "sent" && m.status === 200).length;
  return {
    host: "127.0.0.1",
    port: sipp.localPort,
    pid: sipp.pid,
    process: sipp.process,
    count,
    waitForCount: (n, timeoutMs = 10000) => sipp.process.waitUntil(() => count() >= n, `${n} OPTIONS answered`, timeoutMs, 20),
    async stop() {
      await sipp.stop();
    },
  };
}
