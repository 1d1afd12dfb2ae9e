// baresip as a real softphone for tests: headless (no sound card: ausine source, aubridge sink), registered
// with the test Kamailio, driven over ctrl_tcp (netstring-wrapped JSON commands, JSON events).
import { mkdirSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { startChild, type ChildProcessHandle } from "./child.js";
import { freePortRange, freeTcpUdpPort, isListening } from "./free-port.js";
import { testTempDir, type TempDir } from "./temp-dir.js";
import type { TeardownContext } from "./teardown-context.js";

export interface BaresipOptions {
  /** Kamailio's port on 127.0.0.1. */
  proxyPort: number;
  /** Extension to register. */
  user: string;
  transport?: "udp" | "tcp";
  /** "auto" answers incoming calls at once (default); "manual" lets them ring until answer(). */
  answermode?: "auto" | "manual";
  t?: TeardownContext;
  dir?: TempDir;
  /** Wait this long for start + registration (default 5000 ms). */
  readyTimeoutMs?: number;
}

/** An event baresip reported, e.g. { type: "CALL_ESTABLISHED", class: "call", peeruri, id, param }. */
export interface BaresipEvent {
  readonly type: string;
  readonly class?: string;
  readonly peeruri?: string;
  readonly id?: string;
  readonly param?: string;
  readonly [key: string]: unknown;
}

export interface BaresipCommandResult {
  ok: boolean;
  data: string;
}

export interface Baresip {
  readonly pid: number;
  readonly user: string;
  readonly sipPort: number;
  readonly ctrlPort: number;
  readonly process: ChildProcessHandle;
  /** Send a ctrl_tcp command, e.g. command("reginfo"). */
  command(command: string, params?: string): Promise<BaresipCommandResult>;
  /** Dial a SIP URI, or a bare number (then via the proxy: sip:<number>@127.0.0.1:<proxyPort>). */
  dial(uriOrNumber: string): Promise<BaresipCommandResult>;
  /** Send DTMF (RFC 2833) in the current call, one digit at a time `gapMs` apart (default 250). */
  sendDtmf(digits: string, gapMs?: number): Promise<void>;
  answer(): Promise<BaresipCommandResult>;
  hangup(): Promise<BaresipCommandResult>;
  /**
   * The first event of this type not yet returned by an earlier waitFor (so an event that arrived before the
   * call is still found). Rejects after timeoutMs (default 10000).
   */
  waitFor(type: string, timeoutMs?: number, match?: (e: BaresipEvent) => boolean): Promise<BaresipEvent>;
  /** All events so far. */
  events(): readonly BaresipEvent[];
  stop(): Promise<void>;
}

function config(sipPort: number, ctrlPort: number, rtpStart: number): string {
  return [
    "# written by test/harness/baresip.ts",
    "poll_method\tepoll",
    "net_interface\t127.0.0.1",
    `sip_listen\t127.0.0.1:${sipPort}`,
    `rtp_ports\t${rtpStart}-${rtpStart + 15}`,
    "call_local_timeout\t120",
    "call_max_calls\t4",
    "audio_player\taubridge,sink",
    "audio_source\tausine,440",
    "ausrc_srate\t48000",
    "ausrc_channels\t2",
    "audio_alert\taubridge,sink",
    "module_path\t/usr/lib/baresip/modules",
    "module\tg711.so",
    "module\tausine.so",
    "module\taubridge.so",
    "module\tctrl_tcp.so",
    "module_tmp\taccount.so",
    "module_app\tmenu.so",
    `ctrl_tcp_listen\t127.0.0.1:${ctrlPort}`,
    "",
  ].join("\n");
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

export async function startBaresip(o: BaresipOptions): Promise<Baresip> {
  if (!/^[\w.+*#-]+$/.test(o.user)) throw new Error(`startBaresip: bad user ${JSON.stringify(o.user)}`);
  const dir = o.dir ?? testTempDir(o.t, `baresip-${o.user}`);
  const confDir = dir.join(`baresip-${o.user}`);
  mkdirSync(confDir, { recursive: true });
  // baresip listens on its SIP port for UDP and TCP and on SIP port + 1 for TLS.
  const sipPort = await freeTcpUdpPort(2);
  const ctrlPort = await freeTcpUdpPort();
  const rtpStart = await freePortRange(16);
  const transport = o.transport ?? "udp";
  writeFileSync(`${confDir}/config`, config(sipPort, ctrlPort, rtpStart));
  writeFileSync(
    `${confDir}/accounts`,
    `<sip:${o.user}@127.0.0.1:${o.proxyPort};transport=${transport}>;regint=600;` +
      `answermode=${o.answermode ?? "auto"};audio_codecs=PCMU,PCMA\n`,
  );
  const proc = startChild({
    name: `baresip-${o.user}`,
    command: "baresip",
    args: ["-f", confDir],
    dir: dir.path,
    ...(o.t ? { t: o.t } : {}),
  });
  const readyTimeoutMs = o.readyTimeoutMs ?? 5000;
  const started = Date.now();
  let sock: Socket | undefined;
  try {
    await proc.waitUntil(() => isListening(ctrlPort, "tcp"), `ctrl_tcp on ${ctrlPort}`, readyTimeoutMs, 5);
    sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port: ctrlPort }, () => resolve(s));
      s.once("error", reject);
    });
  } catch (e) {
    await proc.stop();
    throw e;
  }
  const ctrl = sock;
  ctrl.setNoDelay(true);

  const events: BaresipEvent[] = [];
  const consumed = new Set<number>();
  const pending = new Map<string, (r: BaresipCommandResult) => void>();
  let buf = Buffer.alloc(0);
  ctrl.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const colon = buf.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(buf.subarray(0, colon).toString());
      if (!Number.isInteger(len) || buf.length < colon + 1 + len + 1) return;
      const body = buf.subarray(colon + 1, colon + 1 + len).toString("utf8");
      buf = buf.subarray(colon + 2 + len);
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(body) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (msg.event === true && typeof msg.type === "string") events.push(msg as unknown as BaresipEvent);
      else if (msg.response === true && typeof msg.token === "string") {
        pending.get(msg.token)?.({ ok: msg.ok === true, data: String(msg.data ?? "").replace(ANSI, "") });
        pending.delete(msg.token);
      }
    }
  });
  ctrl.on("error", () => {
    /* the process is going away; pending commands time out */
  });

  let tokens = 0;
  const command = (cmd: string, params?: string): Promise<BaresipCommandResult> => {
    if (ctrl.destroyed) return Promise.reject(new Error(`baresip ${o.user}: control connection closed`));
    const token = `t${++tokens}`;
    const body = JSON.stringify(params === undefined ? { command: cmd, token } : { command: cmd, params, token });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(token);
        reject(new Error(`baresip ${o.user}: no response to ${cmd}`));
      }, 5000);
      pending.set(token, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      ctrl.write(`${Buffer.byteLength(body)}:${body},`);
    });
  };

  const waitFor = async (type: string, timeoutMs = 10000, match?: (e: BaresipEvent) => boolean) => {
    let index = -1;
    await proc.waitUntil(
      () => (index = events.findIndex((e, i) => !consumed.has(i) && e.type === type && (!match || match(e)))) >= 0,
      `baresip ${o.user} event ${type}`,
      timeoutMs,
      5,
    );
    consumed.add(index);
    return events[index] as BaresipEvent;
  };

  const stop = async () => {
    ctrl.destroy();
    await proc.stop();
  };

  try {
    // Registration may finish before we connect, so ask instead of waiting for REGISTER_OK.
    await proc.waitUntil(
      async () => / OK /.test((await command("reginfo")).data),
      `registration of ${o.user}`,
      Math.max(readyTimeoutMs - (Date.now() - started), 100),
      20,
    );
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    pid: proc.pid,
    user: o.user,
    sipPort,
    ctrlPort,
    process: proc,
    command,
    dial: (uri) => command("dial", uri.includes(":") ? uri : `sip:${uri}@127.0.0.1:${o.proxyPort}`),
    async sendDtmf(digits, gapMs = 250) {
      for (const d of digits) {
        if (!/^[0-9*#A-Da-d]$/.test(d)) throw new Error(`sendDtmf: bad digit ${JSON.stringify(d)}`);
        const r = await command("sndcode", d);
        if (!r.ok) throw new Error(`baresip ${o.user}: sndcode ${d} failed: ${r.data}`);
        await new Promise((res) => setTimeout(res, gapMs));
      }
    },
    answer: () => command("accept"),
    hangup: () => command("hangup"),
    waitFor,
    events: () => events,
    stop,
  };
}
