// The event stream behind GET /events: one subscription to the bus, fanned out to every WebSocket client whose
// filter matches. Each event is serialized once, as { "event": "call.queued", "time": ISO, "data": {...} }.
//
// Lifecycle of a client:
//   attach ──► streaming ──► client closes / heartbeat missed ───────────────► detached (listeners gone)
//                  │ more than maxBufferedBytes unsent ──► close 1013, terminate after closeGraceMs ─┘
//                  │ close() (server stopping) ──► close 1001, terminate after closeGraceMs ─────────┘
// A client that reads slower than events arrive is dropped rather than buffered without bound. 1013 ("try again
// later") because the condition is passing: the client may reconnect and re-read state with GET /calls, /agents.
import type { WebSocket } from "ws";
import type { EventBus } from "../events/event-bus.js";
import type { Logger } from "../log.js";
import { eventMatches, STREAMED_EVENTS, type EventFilter, type StreamedEvent } from "./event-filter.js";

export const CLOSE_SLOW_CLIENT = 1013;
export const CLOSE_SERVER_STOPPING = 1001;

export interface EventStreamLimits {
  /** Bytes a client may leave unread (ws bufferedAmount) before it is dropped; default 1 MiB. */
  maxBufferedBytes: number;
  /** Ping interval; a client that did not answer the previous ping is terminated. Default 30 s. */
  heartbeatMs: number;
  /** How long a closing client gets to complete the close handshake before its socket is destroyed. Default 2 s. */
  closeGraceMs: number;
}

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = { maxBufferedBytes: 1 << 20, heartbeatMs: 30_000, closeGraceMs: 2_000 };

export interface EventStreamOptions extends Partial<EventStreamLimits> {
  bus: EventBus;
  logger: Logger;
}

interface Client {
  readonly socket: WebSocket;
  readonly filter: EventFilter;
  /** For logs: address:port and the filter as written. */
  readonly remote: string;
  alive: boolean;
  sent: number;
}

const OPEN = 1; // WebSocket.OPEN

export class EventStream {
  readonly #bus: EventBus;
  readonly #logger: Logger;
  readonly #limits: EventStreamLimits;
  readonly #clients = new Set<Client>();
  readonly #listeners = new Map<StreamedEvent, (data: Record<string, unknown>) => void>();
  #heartbeat: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: EventStreamOptions) {
    this.#bus = options.bus;
    this.#logger = options.logger;
    this.#limits = {
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_EVENT_STREAM_LIMITS.maxBufferedBytes,
      heartbeatMs: options.heartbeatMs ?? DEFAULT_EVENT_STREAM_LIMITS.heartbeatMs,
      closeGraceMs: options.closeGraceMs ?? DEFAULT_EVENT_STREAM_LIMITS.closeGraceMs,
    };
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  attach(socket: WebSocket, filter: EventFilter, remote: string, described: Record<string, string>): void {
    if (this.#closing) {
      socket.close(CLOSE_SERVER_STOPPING, "server stopping");
      return;
    }
    const client: Client = { socket, filter, remote, alive: true, sent: 0 };
    this.#clients.add(client);
    if (this.#clients.size === 1) this.#start();
    socket.on("pong", () => (client.alive = true));
    socket.on("close", (code, reason) => {
      this.#detach(client);
      this.#logger.info({ remote, code, reason: reason.toString("utf8"), sent: client.sent }, "event stream client disconnected");
    });
    this.#logger.info({ remote, filter: described }, "event stream client connected");
  }

  /** Closes every client with 1001 and stops listening to the bus; idempotent. */
  close(): Promise<void> {
    this.#closing ??= Promise.all([...this.#clients].map((c) => this.#closeClient(c, CLOSE_SERVER_STOPPING, "server stopping"))).then(() => undefined);
    return this.#closing;
  }

  #start(): void {
    for (const event of STREAMED_EVENTS) {
      const listener = (data: Record<string, unknown>) => this.#publish(event, data);
      this.#listeners.set(event, listener);
      this.#bus.on(event, listener as (...args: unknown[]) => void);
    }
    this.#heartbeat = setInterval(() => this.#ping(), this.#limits.heartbeatMs).unref();
  }

  #stop(): void {
    for (const [event, listener] of this.#listeners) this.#bus.off(event, listener as (...args: unknown[]) => void);
    this.#listeners.clear();
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #detach(client: Client): void {
    if (this.#clients.delete(client) && this.#clients.size === 0) this.#stop();
  }

  #publish(event: StreamedEvent, data: Record<string, unknown>): void {
    let message: string | undefined;
    for (const client of this.#clients) {
      if (client.socket.readyState !== OPEN || !eventMatches(client.filter, event, data)) continue;
      message ??= JSON.stringify({ event, time: new Date().toISOString(), data });
      client.socket.send(message);
      client.sent++;
      if (client.socket.bufferedAmount > this.#limits.maxBufferedBytes) this.#dropSlow(client);
    }
  }

  #dropSlow(client: Client): void {
    const unread = client.socket.bufferedAmount;
    this.#logger.warn({ remote: client.remote, unreadBytes: unread, limit: this.#limits.maxBufferedBytes, sent: client.sent }, "event stream client too slow; dropped");
    void this.#closeClient(client, CLOSE_SLOW_CLIENT, `too slow: more than ${this.#limits.maxBufferedBytes} bytes unread`);
  }

  /** Stops sending at once (listeners go with the last client), then closes; destroys the socket after the grace. */
  #closeClient(client: Client, code: number, reason: string): Promise<void> {
    this.#detach(client);
    const { socket } = client;
    return new Promise((resolve) => {
      if (socket.readyState === 3 /* CLOSED */) return resolve();
      const timer = setTimeout(() => socket.terminate(), this.#limits.closeGraceMs).unref();
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(code, reason);
    });
  }

  #ping(): void {
    for (const client of this.#clients) {
      if (!client.alive) {
        this.#logger.info({ remote: client.remote }, "event stream client did not answer ping; terminated");
        this.#detach(client);
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      if (client.socket.readyState === OPEN) client.socket.ping();
    }
  }
}
