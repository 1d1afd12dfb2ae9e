// One trap/inform destination. Traps go out once (the callback only means "datagram sent"). Informs are the
// only delivery confirmation SNMP has: net-snmp resends each `retries` times with `backoff`; when that fails the
// manager is taken as down, the inform goes back in a bounded queue (oldest dropped, counted, logged when full)
// and one probe is tried after `retryInterval`, doubling up to `maxRetryInterval`; the first acknowledged probe
// reopens the window of `maxInFlight` informs.
//
//   up ──(inform times out)──► down ──(probe acknowledged)──► up
//                               │ ▲
//                               └─┘ probe times out: pause doubles
//
// One net-snmp session per destination, with `port` = trap port: after v3 engine discovery net-snmp sends later
// informs to `session.port` instead of `trapPort` (notes/snmp.md).
import snmp, { type Session, type User, type Varbind } from "net-snmp";
import type { Logger } from "../cti/log.js";
import { BoundedQueue } from "./bounded-queue.js";
import type { SnmpDestinationConfig } from "./snmp-config.js";

/** A notification ready for the wire; built once and shared by every destination. */
export interface OutgoingNotification {
  name: string;
  /** v2c/v3 notification OID (secCCEvents.0.N). */
  oid: string;
  /** v1: enterprise secCCEvents and this specific-trap. */
  enterpriseOid: string;
  specificTrap: number;
  varbinds: Varbind[];
  /** sysUpTime.0 when the event happened, in hundredths of a second. */
  upTime: number;
  sequence: number;
}

export interface TargetStats {
  name: string;
  version: "v1" | "v2c" | "v3";
  mode: "trap" | "inform";
  /** Traps sent, or informs acknowledged. */
  sent: number;
  /** Traps the socket refused to send. */
  failed: number;
  /** Informs dropped because the queue was full (or still queued at close). */
  dropped: number;
  /** Informs waiting to be sent. */
  queued: number;
  /** Informs sent and not yet acknowledged. */
  inFlight: number;
  /** The most informs that waited at once (queued, not yet sent) since the destination was created. */
  queueHighWater: number;
  /** False while informs to this destination time out. */
  reachable: boolean;
}

export interface TargetContext {
  logger: Logger;
  /** v1 agent-addr (IPv4). */
  agentAddress: string;
  /** SNMPv3 engine ID of this originator (hex). */
  engineID: string;
}

export class NotificationTarget {
  readonly name: string;
  readonly #config: SnmpDestinationConfig;
  readonly #context: TargetContext;
  readonly #log: Logger;
  readonly #queue: BoundedQueue<OutgoingNotification>;
  /** Informs that failed while in flight, resent first in sequence order. */
  #retry: OutgoingNotification[] = [];
  #session: Session;
  #inFlight = 0;
  /** Traps handed to the socket whose send callback has not run yet. */
  #trapsPending = 0;
  #sent = 0;
  #failed = 0;
  #dropped = 0;
  #queueHighWater = 0;
  #down = false;
  #pause: number;
  #probeTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #idle: (() => void) | undefined;

  constructor(config: SnmpDestinationConfig, context: TargetContext) {
    this.#config = config;
    this.#context = context;
    this.name = config.name ?? `${config.host}:${config.port}`;
    this.#log = context.logger.child({ snmpDestination: this.name, version: config.version, mode: config.mode });
    this.#queue = new BoundedQueue(config.queueSize);
    this.#pause = config.retryInterval;
    this.#session = this.#createSession();
  }

  #createSession(): Session {
    const c = this.#config;
    const options = {
      port: c.port, // = trapPort: see the header comment
      trapPort: c.port,
      retries: c.retries,
      timeout: c.timeout,
      backoff: c.backoff,
      transport: "udp4" as const,
    };
    let session: Session;
    if (c.version === "v3") {
      const u = c.user!;
      const user: User = {
        name: u.name,
        level: u.level === "authPriv" ? snmp.SecurityLevel.authPriv : snmp.SecurityLevel.authNoPriv,
        authProtocol: snmp.AuthProtocols[u.authProtocol],
        authKey: u.authKey,
      };
      if (u.level === "authPriv") {
        user.privProtocol = snmp.PrivProtocols[u.privProtocol];
        user.privKey = u.privKey!;
      }
      session = snmp.createV3Session(c.host, user, { ...options, version: snmp.Version3, engineID: this.#context.engineID });
    } else {
      session = snmp.createSession(c.host, c.community!, { ...options, version: c.version === "v1" ? snmp.Version1 : snmp.Version2c });
    }
    // A socket error (e.g. no route) must not crash the daemon; the next send uses the same socket again.
    session.on("error", (error) => this.#log.warn({ err: error.message }, "SNMP destination socket error"));
    return session;
  }

  send(n: OutgoingNotification): void {
    if (this.#closed) return;
    if (this.#config.mode === "trap") return this.#sendTrap(n);
    const dropped = this.#queue.push(n);
    if (dropped) this.#drop(dropped, "queue full");
    this.#pump();
    this.#queueHighWater = Math.max(this.#queueHighWater, this.#queued());
  }

  #sendTrap(n: OutgoingNotification): void {
    const v1 = this.#config.version === "v1";
    const oid = v1 ? `${n.enterpriseOid}.${n.specificTrap}` : n.oid;
    const options = v1 ? { agentAddr: this.#context.agentAddress, upTime: n.upTime } : { upTime: n.upTime };
    this.#trapsPending++;
    try {
      this.#session.trap(oid, n.varbinds, options, (error) => {
        this.#trapsPending--;
        if (error) {
          this.#failed++;
          this.#log.warn({ err: error.message, notification: n.name, sequence: n.sequence }, "SNMP trap not sent");
        } else this.#sent++;
        this.#checkIdle();
      });
    } catch (error) {
      this.#trapsPending--;
      this.#failed++;
      this.#log.error({ err: (error as Error).message, notification: n.name }, "SNMP trap could not be encoded");
    }
  }

  #next(): OutgoingNotification | undefined {
    if (this.#retry.length > 0) return this.#retry.shift();
    return this.#queue.shift();
  }

  #pump(): void {
    if (this.#closed) return;
    const window = this.#down ? 1 : this.#config.maxInFlight;
    while (this.#inFlight < window && this.#probeTimer === undefined) {
      const n = this.#next();
      if (!n) break;
      this.#inform(n);
    }
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.#inFlight === 0 && this.#trapsPending === 0 && this.#queued() === 0) this.#idle?.();
  }

  #queued(): number {
    return this.#queue.length + this.#retry.length;
  }

  #inform(n: OutgoingNotification): void {
    this.#inFlight++;
    try {
      this.#session.inform(n.oid, n.varbinds, { upTime: n.upTime }, (error) => this.#informDone(n, error));
    } catch (error) {
      this.#informDone(n, error as Error);
    }
  }

  #informDone(n: OutgoingNotification, error: Error | null): void {
    this.#inFlight--;
    if (this.#closed) return;
    if (!error) {
      this.#sent++;
      if (this.#down) {
        this.#down = false;
        this.#pause = this.#config.retryInterval;
        this.#log.info({ queued: this.#queued() }, "SNMP manager acknowledges informs again; sending the queue");
      }
      this.#pump();
      return;
    }
    // Not acknowledged: keep it, in sequence order, ahead of the queue.
    const at = this.#retry.findIndex((r) => r.sequence > n.sequence);
    this.#retry.splice(at === -1 ? this.#retry.length : at, 0, n);
    if (this.#retry.length + this.#queue.length > this.#config.queueSize) this.#drop(this.#retry.shift()!, "queue full");
    this.#queueHighWater = Math.max(this.#queueHighWater, this.#queued());
    if (!this.#down) {
      this.#down = true;
      this.#log.warn({ err: error.message, queued: this.#queued() }, "SNMP manager does not acknowledge informs; queueing");
    }
    if (this.#probeTimer === undefined) {
      this.#probeTimer = setTimeout(() => {
        this.#probeTimer = undefined;
        this.#pump();
      }, this.#pause);
      this.#pause = Math.min(this.#pause * 2, this.#config.maxRetryInterval);
    }
  }

  #drop(n: OutgoingNotification, why: string): void {
    this.#dropped++;
    this.#log.warn({ notification: n.name, sequence: n.sequence, why, dropped: this.#dropped }, "SNMP inform dropped");
  }

  stats(): TargetStats {
    return {
      name: this.name,
      version: this.#config.version,
      mode: this.#config.mode,
      sent: this.#sent,
      failed: this.#failed,
      dropped: this.#dropped,
      queued: this.#queued(),
      inFlight: this.#inFlight,
      queueHighWater: this.#queueHighWater,
      reachable: !this.#down,
    };
  }

  /** Waits up to `graceMs` for traps to leave and queued informs to be acknowledged (informs not at all while the
   * manager is down), then
   * closes the socket; informs still unacknowledged are counted as dropped. Idempotent. */
  async close(graceMs = 2000): Promise<void> {
    if (this.#closed) return;
    if (graceMs > 0 && (this.#trapsPending > 0 || (!this.#down && (this.#inFlight > 0 || this.#queued() > 0)))) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.#idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#probeTimer);
    const left = this.#queued() + this.#inFlight;
    if (left > 0) {
      this.#dropped += left;
      this.#log.warn({ dropped: left }, "SNMP destination closed with informs not acknowledged");
    }
    this.#retry = [];
    this.#queue.drain();
    try {
      this.#session.close();
    } catch {
      // already closed by a socket error
    }
  }
}
