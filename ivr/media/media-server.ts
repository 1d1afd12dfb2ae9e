// The bridge's own RTP media server: a pool of even UDP ports on one address, a shared 20 ms playback clock and
// the prompt cache, from which every call leg gets its MediaEndpoint. Running out of ports is reported (typed
// event + "media.portsExhausted" on the bus, which the SNMP forwarder turns into a trap) and so is recovery.
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import { CtiError, Errors } from "../../cti/errors.js";
import type { EventBus, MediaPortsEvent } from "../../cti/events/event-bus.js";
import { TypedEmitter } from "../../cti/events/typed-emitter.js";
import type { Logger } from "../../cti/log.js";
import { MediaEndpoint } from "./media-endpoint.js";
import { PlaybackScheduler } from "./playback-scheduler.js";
import { PromptLibrary } from "./prompt-library.js";
import { RtpPortPool } from "./rtp-port-pool.js";

export interface MediaServerOptions {
  /** Address RTP sockets bind to, e.g. "127.0.0.1". */
  address: string;
  /** Lowest and highest RTP port (inclusive); only the even ones are used. */
  portMin: number;
  portMax: number;
  logger: Logger;
  bus?: EventBus;
  /** Address written into SDP (when binding 0.0.0.0 or behind NAT); default `address`. */
  announcedAddress?: string;
  /** Shared prompt cache; default: the built-in prompts. */
  prompts?: PromptLibrary;
}

export type MediaServerEvents = {
  portsExhausted: [MediaPortsEvent];
  portsAvailable: [MediaPortsEvent];
};

/** dgram resolves even a literal address through dns.lookup on the next tick; ours answers at once, so a send
 * is handed to the kernel while the caller still owns the packet buffer. */
function literalLookup(address: string, options: unknown, callback?: unknown): void {
  const cb = (typeof options === "function" ? options : callback) as (err: Error | null, address: string, family: number) => void;
  cb(null, address, isIPv6(address) ? 6 : 4);
}

export class MediaServer extends TypedEmitter<MediaServerEvents> {
  readonly address: string;
  readonly prompts: PromptLibrary;
  readonly #announcedAddress: string;
  readonly #pool: RtpPortPool;
  readonly #scheduler = new PlaybackScheduler();
  readonly #endpoints = new Set<MediaEndpoint>();
  readonly #logger: Logger;
  readonly #bus: EventBus | undefined;
  #exhausted = false;
  #closed = false;

  constructor(options: MediaServerOptions) {
    super();
    const { portMin, portMax } = options;
    if (!Number.isInteger(portMin) || !Number.isInteger(portMax) || portMin < 1 || portMax > 65535 || portMin > portMax) {
      throw new CtiError(Errors.CONFIG_INVALID, `media port range ${portMin}-${portMax} is not valid`);
    }
    this.#pool = new RtpPortPool(portMin, portMax);
    if (this.#pool.total === 0) throw new CtiError(Errors.CONFIG_INVALID, `media port range ${portMin}-${portMax} has no even port`);
    this.address = options.address;
    this.#announcedAddress = options.announcedAddress ?? options.address;
    this.prompts = options.prompts ?? new PromptLibrary();
    this.#logger = options.logger.child({ component: "media" });
    this.#bus = options.bus;
    this.onListenerError = (event, error) => this.#logger.error({ err: error, event }, "media server listener threw");
  }

  get portsTotal(): number {
    return this.#pool.total;
  }

  /** Pool ports not held by an endpoint (a port another program holds still counts until open() trips on it). */
  get portsFree(): number {
    return this.#pool.free;
  }

  get endpoints(): ReadonlySet<MediaEndpoint> {
    return this.#endpoints;
  }

  /**
   * Binds a new endpoint on a free pool port, skipping ports another program holds (EADDRINUSE).
   * Throws MEDIA_PORTS_EXHAUSTED when no pool port can be bound.
   */
  async open(): Promise<MediaEndpoint> {
    if (this.#closed) throw new CtiError(Errors.MEDIA_PORTS_EXHAUSTED, "the media server is closed");
    const attempts = this.#pool.free;
    for (let i = 0; i < attempts; i++) {
      const port = this.#pool.take();
      if (port === undefined) break;
      let socket: Socket;
      try {
        socket = await this.#bind(port);
      } catch (error) {
        this.#pool.give(port);
        if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
          this.#logger.debug({ port }, "rtp port in use by another program, skipped");
          continue;
        }
        throw new CtiError(Errors.INTERNAL, `cannot bind RTP port ${this.address}:${port}`, { cause: error });
      }
      if (this.#closed) {
        socket.close(() => this.#pool.give(port));
        throw new CtiError(Errors.MEDIA_PORTS_EXHAUSTED, "the media server is closed");
      }
      const endpoint = new MediaEndpoint({
        socket,
        localPort: port,
        announcedAddress: this.#announcedAddress,
        scheduler: this.#scheduler,
        prompts: this.prompts,
        logger: this.#logger,
        release: (p) => this.#release(endpoint, p),
      });
      this.#endpoints.add(endpoint);
      if (this.#pool.free === 0) this.#setExhausted(true);
      return endpoint;
    }
    this.#setExhausted(true);
    throw new CtiError(Errors.MEDIA_PORTS_EXHAUSTED, `all ${this.#pool.total} RTP ports of ${this.address} are in use`);
  }

  /** Closes every endpoint and stops the playback clock. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const endpoint of [...this.#endpoints]) endpoint.close();
    this.#scheduler.close();
  }

  #bind(port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: isIPv6(this.address) ? "udp6" : "udp4", lookup: literalLookup as never });
      const onError = (error: Error): void => {
        socket.close();
        reject(error);
      };
      socket.once("error", onError);
      socket.bind({ port, address: this.address, exclusive: true }, () => {
        socket.off("error", onError);
        resolve(socket);
      });
    });
  }

  #release(endpoint: MediaEndpoint, port: number): void {
    this.#endpoints.delete(endpoint);
    this.#pool.give(port);
    if (this.#exhausted && !this.#closed) this.#setExhausted(false);
  }

  #setExhausted(exhausted: boolean): void {
    if (this.#exhausted === exhausted) return;
    this.#exhausted = exhausted;
    const event: MediaPortsEvent = { total: this.#pool.total, free: this.#pool.free };
    if (exhausted) {
      this.#logger.warn(event, "no free media ports");
      this.safeEmit("portsExhausted", event);
      this.#bus?.safeEmit("media.portsExhausted", event);
    } else {
      this.#logger.info(event, "media ports available again");
      this.safeEmit("portsAvailable", event);
      this.#bus?.safeEmit("media.portsAvailable", event);
    }
  }
}
