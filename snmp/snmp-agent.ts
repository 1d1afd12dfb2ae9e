// The bridge's SNMP agent, with the settings of the Windows SNMP service in the manual: sysDescr/sysContact/
// sysLocation/sysUpTime, accepted communities with permissions, "only accept SNMP packets from these hosts", and
// an authentication trap for a bad community or host. It serves the read-only status objects of the project MIB
// (agents per state, calls waiting per service group, call-manager link states, forwarder counters).
//
// net-snmp's agent has no host filter, so its socket comes from a dgram wrapper (the documented `dgramModule`
// option) that drops packets from hosts not accepted, and refreshes the status tables just before a packet
// is handled, so every answer is current without a polling timer. Packets that will only be rejected (a v1/v2c
// community that may not read) skip the refresh, unchanged tables are not rewritten, and rejections are logged
// once per host per interval: 1,000 bad-community requests/s (the SNMP benchmark, or a host guessing communities)
// cost the daemon 14 % of a core with a refresh and a log line each, and 6 % without (BENCHMARKS.md, "SNMP").
//
// Port 0 ("any free port", for tests): net-snmp 3.29 listens on `port || 161` (Listener constructor), so 0 cannot
// reach the kernel through its options, and it has no public way to report the port it bound. We therefore pick
// the port ourselves (a probe socket bound to port 0 on the agent's address, then closed) and hand that number to
// net-snmp; if another process takes it in between, the bind fails with EADDRINUSE and we pick again.
// test/snmp/agent-port.test.ts pins the net-snmp behaviour this works around.
import dgram from "node:dgram";
import { once } from "node:events";
import snmp, { type Agent, type Mib } from "net-snmp";
import type { SnmpAuthenticationFailureEvent } from "../cti/events/event-bus.js";
import { CtiError, Errors } from "../cti/errors.js";
import type { Logger } from "../cti/log.js";
import type { MibCatalog } from "./mib-catalog.js";
import type { SnmpAgentConfig } from "./snmp-config.js";
import type { SnmpStatusProvider } from "./snmp-status-provider.js";

/** SecAgentState numbering in the MIB. */
const AGENT_STATES = ["loggedOff", "idleReady", "idleNotReady", "reserved", "talking", "callWaiting", "callback", "clerical"] as const;
const LINK_STATE = { unknown: 1, up: 2, down: 3 } as const;
/** sysServices: applications (layer 7) + end-to-end (layer 4), the two the manual says to always enable. */
const SYS_SERVICES = 64 + 8;
/** At most one "SNMP request rejected" log line per source address in this interval. */
const REJECT_LOG_INTERVAL_MS = 10_000;
/** Port 0: how often a free port is picked again when another process took it first. */
const PORT_ATTEMPTS = 5;

export interface ForwarderCounters {
  sent: number;
  dropped: number;
  damped: number;
  pending: number;
}

export interface SnmpAgentOptions {
  config: SnmpAgentConfig;
  catalog: MibCatalog;
  logger: Logger;
  status: SnmpStatusProvider;
  counters: () => ForwarderCounters;
  description: string;
  hostname: string;
  /** Where sysUpTime counts from (ms since epoch). */
  startedAt: number;
  onAuthenticationFailure: (event: SnmpAuthenticationFailureEvent) => void;
}

export class SnmpAgent {
  readonly address: string;
  readonly port: number;
  readonly #agent: Agent;
  readonly #options: SnmpAgentOptions;
  /** Per status table: the rows last written (as JSON, to skip rewriting equal rows) and their indexes. */
  readonly #rows = new Map<string, { json: string; indexes: number[] }>();
  /** Per source address: when its last "request rejected" line was logged, and how many since went unlogged. */
  readonly #rejectLog = new Map<string, { at: number; unlogged: number }>();
  #closed = false;

  private constructor(agent: Agent, address: string, port: number, options: SnmpAgentOptions) {
    this.#agent = agent;
    this.address = address;
    this.port = port;
    this.#options = options;
  }

  static async start(options: SnmpAgentOptions): Promise<SnmpAgent> {
    const { config } = options;
    for (let attempt = 1; ; attempt++) {
      const port = config.port === 0 ? await freeUdpPort(config.address) : config.port;
      try {
        return await SnmpAgent.#listen(options, port);
      } catch (error) {
        const inUse = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE";
        if (config.port !== 0 || !inUse || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  }

  static async #listen(options: SnmpAgentOptions, port: number): Promise<SnmpAgent> {
    const { config, logger } = options;
    const accepted = new Set(config.acceptHosts);
    const readers = new Set(config.communities.filter((c) => c.access !== "none").map((c) => c.name));
    let socket: dgram.Socket | undefined;
    let self: SnmpAgent | undefined;
    const log = logger.child({ component: "snmpAgent" });

    const dgramModule = {
      createSocket(type: "udp4" | "udp6"): dgram.Socket {
        const s = dgram.createSocket(type);
        socket = s;
        const on = s.on.bind(s);
        // Wrap the agent's message listener: host filter first, then a status refresh.
        s.on = ((event: string, listener: (...args: unknown[]) => void) => {
          if (event !== "message") return on(event, listener);
          return on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => {
            if (accepted.size > 0 && !accepted.has(rinfo.address)) {
              if (self) self.#authFailure(rinfo.address, rinfo.port, "host");
              return;
            }
            const community = v1v2cCommunity(msg);
            if (self && (community === undefined || readers.has(community))) self.#refresh();
            listener(msg, rinfo);
          });
        }) as typeof s.on;
        return s;
      },
    };

    const agent = snmp.createAgent(
      {
        address: config.address,
        port,
        transport: "udp4",
        accessControlModelType: snmp.AccessControlModelType.Simple,
        dgramModule,
      },
      (error) => {
        if (!error) return;
        if (error instanceof snmp.RequestFailedError && error.rinfo && /community/i.test(error.message)) {
          if (self) self.#authFailure(error.rinfo.address, error.rinfo.port, "community");
        } else {
          log.debug({ err: error.message, from: error.rinfo?.address }, "SNMP agent could not handle a request");
        }
      },
    );
    if (!socket) throw new CtiError(Errors.INTERNAL, "SNMP agent created no socket");
    const s: dgram.Socket = socket;
    try {
      await Promise.race([
        once(s, "listening"),
        once(s, "error").then(([e]) => Promise.reject(e as Error)),
      ]);
    } catch (error) {
      agent.close();
      throw new CtiError(Errors.CONFIG_INVALID, `SNMP agent cannot listen on ${config.address}:${port}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const bound = s.address();
    self = new SnmpAgent(agent, bound.address, bound.port, options);
    self.#setup();
    log.info({ address: bound.address, port: bound.port, communities: config.communities.length, acceptHosts: config.acceptHosts }, "SNMP agent listening");
    return self;
  }

  #setup(): void {
    const { config, catalog } = this.#options;
    const mib = this.#agent.getMib();
    for (const p of [...catalog.systemProviders(), ...catalog.statusProviders()]) {
      // Everything is served read-only, whatever the MIB allows (sysContact etc. come from the config file).
      const readOnly = snmp.MaxAccess["read-only"] ?? 2;
      p.maxAccess = Math.min(p.maxAccess, readOnly);
      for (const column of p.tableColumns ?? []) column.maxAccess = Math.min(column.maxAccess, readOnly);
      mib.registerProvider(p);
    }
    mib.setScalarValue("sysDescr", this.#options.description);
    mib.setScalarValue("sysObjectID", catalog.enterpriseOid);
    mib.setScalarValue("sysContact", config.contact);
    mib.setScalarValue("sysName", this.#options.hostname);
    mib.setScalarValue("sysLocation", config.location);
    mib.setScalarValue("sysServices", SYS_SERVICES);

    const authorizer = this.#agent.getAuthorizer();
    const acm = authorizer.getAccessControlModel();
    for (const c of config.communities) {
      authorizer.addCommunity(c.name);
      acm?.setCommunityAccess(c.name, c.access === "none" ? snmp.AccessLevel.None : snmp.AccessLevel.ReadOnly);
    }
    this.#refresh();
  }

  #authFailure(address: string, port: number, reason: "community" | "host"): void {
    if (this.#closed) return;
    // One log line per host per interval: a flood of rejected requests must not flood the log (the notifications
    // have their own damping). The next line says how many were rejected in between.
    const now = Date.now();
    const last = this.#rejectLog.get(address);
    if (last && now - last.at < REJECT_LOG_INTERVAL_MS) last.unlogged++;
    else {
      const more = last?.unlogged ? { rejectedSinceLastLine: last.unlogged } : {};
      this.#options.logger.warn({ component: "snmpAgent", from: address, reason, ...more }, "SNMP request rejected");
      if (!last && this.#rejectLog.size >= 1000) this.#rejectLog.clear();
      this.#rejectLog.set(address, { at: now, unlogged: 0 });
    }
    if (this.#options.config.authenticationTraps) this.#options.onAuthenticationFailure({ sourceAddress: address, sourcePort: port, reason });
  }

  /** Copies the daemon's current status into the MIB. A failing status provider leaves the last values. */
  #refresh(): void {
    const mib = this.#agent.getMib();
    const { status, counters, startedAt } = this.#options;
    mib.setScalarValue("sysUpTime", Math.floor((Date.now() - startedAt) / 10));
    try {
      const c = counters();
      mib.setScalarValue("secNotificationsSent", c.sent >>> 0);
      mib.setScalarValue("secNotificationsDropped", c.dropped >>> 0);
      mib.setScalarValue("secNotificationsDamped", c.damped >>> 0);
      mib.setScalarValue("secInformsPending", c.pending >>> 0);

      const byState = status.agentsByState();
      this.#replaceRows(mib, "secAgentStateEntry", AGENT_STATES.map((state, i) => [i + 1, gauge(byState[state] ?? 0)]));
      this.#replaceRows(
        mib,
        "secServiceGroupEntry",
        status.serviceGroups().slice(0, 65535).map((g, i) => [i + 1, g.name, gauge(g.waiting), gauge(g.longestWaitSeconds)]),
      );
      this.#replaceRows(
        mib,
        "secCallManagerEntry",
        status.callManagerLinks().slice(0, 65535).map((l, i) => [i + 1, l.id, l.name, LINK_STATE[l.state] ?? LINK_STATE.unknown]),
      );
    } catch (error) {
      this.#options.logger.warn({ component: "snmpAgent", err: (error as Error).message }, "SNMP status refresh failed");
    }
  }

  #replaceRows(mib: Mib, table: string, rows: unknown[][]): void {
    const json = JSON.stringify(rows);
    const last = this.#rows.get(table);
    if (last?.json === json) return;
    for (const index of last?.indexes ?? []) mib.deleteTableRow(table, [index]);
    for (const row of rows) mib.addTableRow(table, row);
    this.#rows.set(table, { json, indexes: rows.map((r) => r[0] as number) });
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => {
      try {
        this.#agent.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

function gauge(n: number): number {
  return Math.min(0xffffffff, Math.max(0, Math.round(n))) >>> 0;
}

/**
 * The community of an SNMPv1/v2c message (SEQUENCE { INTEGER version 0|1, OCTET STRING community, PDU }), read
 * without decoding the rest; undefined for SNMPv3 or anything else, which then goes the full way.
 */
export function v1v2cCommunity(msg: Buffer): string | undefined {
  const length = (at: number): [number, number] | undefined => {
    const first = msg[at];
    if (first === undefined) return undefined;
    if (first < 0x80) return [first, at + 1];
    const count = first & 0x7f;
    if (count < 1 || count > 3) return undefined;
    let n = 0;
    for (let i = 1; i <= count; i++) n = n * 256 + (msg[at + i] ?? 0);
    return [n, at + 1 + count];
  };
  if (msg[0] !== 0x30) return undefined;
  const sequence = length(1);
  if (!sequence || msg[sequence[1]] !== 0x02 || msg[sequence[1] + 1] !== 1) return undefined;
  const version = msg[sequence[1] + 2];
  if (version !== 0 && version !== 1) return undefined;
  const at = sequence[1] + 3;
  if (msg[at] !== 0x04) return undefined;
  const community = length(at + 1);
  if (!community || community[1] + community[0] > msg.length) return undefined;
  return msg.toString("utf8", community[1], community[1] + community[0]);
}

/** A UDP port free on `address` right now: the kernel picks it for a probe socket, which is then closed. */
async function freeUdpPort(address: string): Promise<number> {
  const probe = dgram.createSocket("udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once("error", reject);
      probe.bind(0, address, () => resolve());
    });
    return probe.address().port;
  } finally {
    await new Promise<void>((resolve) => {
      try {
        probe.close(() => resolve());
      } catch {
        resolve(); // never bound
      }
    });
  }
}
