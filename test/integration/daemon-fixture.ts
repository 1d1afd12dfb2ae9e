// Starts the real daemon against a real Kamailio on free loopback ports, with its own data directory and a log
// captured in memory (so tests can check what was logged, and that secrets were not).
import { writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import { Daemon } from "../../cti/daemon.js";
import { createLogger } from "../../cti/log.js";
import { freePortRange, freeTcpUdpPort } from "../harness/free-port.js";
import { startKamailio, type KamailioInstance } from "../harness/kamailio.js";
import { makeTempDir, type TempDir } from "../harness/temp-dir.js";
import type { TeardownContext } from "../harness/teardown-context.js";

export interface DaemonFixture {
  daemon: Daemon;
  kamailio: KamailioInstance;
  /** The second call manager's Kamailio, with `secondCallManager: { kamailio: true }`. */
  kamailio2: KamailioInstance | undefined;
  dir: TempDir;
  configFile: string;
  dataDir: string;
  sipPort: number;
  httpUrl: string;
  logLines(): Record<string, unknown>[];
  /** Stops the daemon and starts it again on the same config and data (a restart). */
  restart(): Promise<Daemon>;
  getJson<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  addUser(logonId: string, pin: string, extra?: { restoreOption?: "system" | "always" | "never" | "priority"; name?: string }): Promise<number>;
}

export interface FixtureOptions {
  /** Extra YAML under `system:` (indented by the caller with two spaces). */
  system?: string;
  /** Extra entries of the `bvds:` list (each line "  - { … }"). */
  bvds?: string;
  /** Extra top-level YAML (e.g. serviceAccesses and serviceGroups). */
  config?: string;
  /**
   * A second call manager `kam2` ("Second Kamailio") in site main, TAS unless said: `kamailio: true` starts a second
   * Kamailio that also routes BVDs to the daemon; `port` only configures 127.0.0.1:port, where nothing need listen
   * yet (its link is down until a test starts a peer there, e.g. an OPTIONS responder).
   */
  secondCallManager?: ({ kamailio: true } | { port: number }) & { type?: "TAS" | "OAS" };
  /** Media ports to give the daemon (default 40). */
  mediaPorts?: number;
  t: TeardownContext;
}

export class MemoryLog extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

export async function startDaemonFixture(o: FixtureOptions): Promise<DaemonFixture> {
  const dir = makeTempDir(o.t, "daemon");
  const sipPort = await freeTcpUdpPort();
  const httpPort = await freeTcpUdpPort();
  const mediaPorts = o.mediaPorts ?? 40;
  const mediaMin = await freePortRange(mediaPorts);
  const kamailio = await startKamailio({ daemonPort: sipPort, t: o.t, dir });
  const second = o.secondCallManager;
  const kamailio2 = second && "kamailio" in second ? await startKamailio({ daemonPort: sipPort, t: o.t, dir }) : undefined;
  const secondPort = second && "port" in second ? second.port : kamailio2?.port;
  const secondYaml = second
    ? `  - id: kam2
    name: Second Kamailio
    site: main
    type: ${second.type ?? "TAS"}
    host: 127.0.0.1
    port: ${secondPort}
    transport: udp
    keepalive: { interval: 1s, timeout: 1s }
`
    : "";
  const configFile = dir.join("ctibridge.yaml");
  writeFileSync(
    configFile,
    `system:
  lockoutThreshold: 5
${o.system ?? ""}
sip:
  address: 127.0.0.1
  port: ${sipPort}
media:
  address: 127.0.0.1
  portMin: ${mediaMin}
  portMax: ${mediaMin + mediaPorts - 1}
http:
  address: 127.0.0.1
  port: ${httpPort}
sites:
  - id: main
    name: Main
callManagers:
  - id: kam
    name: Test Kamailio
    site: main
    type: TAS
    host: 127.0.0.1
    port: ${kamailio.port}
    transport: udp
    keepalive: { interval: 1s, timeout: 1s }
${secondYaml}bvds:
  - { number: 2000, kind: logon }
  - { number: 2001, kind: logoff }
  - { number: 2002, kind: ready }
  - { number: 2003, kind: notReady }
  - { number: 2999, kind: serviceAccess, script: benchmark-prompt }
${o.bvds ?? ""}
${o.config ?? ""}
logging:
  level: debug
`,
  );
  const dataDir = dir.join("data");
  const log = new MemoryLog();
  const logger = createLogger({ level: "debug", destination: log });
  let daemon = await Daemon.start({ configFile, dataDir, logger });
  o.t.teardown(() => daemon.stop());
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const fixture: DaemonFixture = {
    get daemon() {
      return daemon;
    },
    kamailio,
    kamailio2,
    dir,
    configFile,
    dataDir,
    sipPort,
    httpUrl,
    logLines: () => log.lines,
    async restart() {
      await daemon.stop();
      daemon = await Daemon.start({ configFile, dataDir, logger });
      return daemon;
    },
    async getJson<T>(path: string) {
      const response = await fetch(httpUrl + path);
      return { status: response.status, body: (await response.json()) as T };
    },
    async addUser(logonId, pin, extra = {}) {
      const [firstName, lastName] = (extra.name ?? "Test Agent").split(" ");
      const user = await daemon.store.users.add({
        tenantId: -1,
        logonId,
        pin,
        ...(firstName ? { firstName } : {}),
        ...(lastName ? { lastName } : {}),
        restoreOption: extra.restoreOption ?? "system",
      });
      return user.id;
    },
  };
  return fixture;
}

/** Polls until `check` returns a value (not undefined), or fails after timeoutMs. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, what = "condition"): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
