// SIP over TCP: one connection per remote address, whoever opened it. Responses go back on the connection the
// request came on; requests reuse an open connection to the destination or open one (RFC 3261 18.1.1, 18.2.2).
import net from "node:net";
import type { Logger } from "../log.js";
import { normalizeAddress } from "./peer-filter.js";
import { SipStreamFramer } from "./sip-stream-framer.js";

/** Connections with no traffic for this long are closed. */
export const TCP_IDLE_TIMEOUT_MS = 10 * 60_000;

export interface TcpPoolHandlers {
  message(text: string, source: { address: string; port: number }): void;
  /** The stream could not be framed; the connection is closed. */
  malformed(reason: string, source: { address: string; port: number }): void;
}

export class TcpConnectionPool {
  readonly #connections = new Map<string, net.Socket>();
  readonly #server: net.Server;
  #closed = false;

  constructor(
    private readonly handlers: TcpPoolHandlers,
    private readonly logger: Logger,
  ) {
    this.#server = net.createServer((socket) => this.#adopt(socket, undefined));
  }

  listen(address: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.#server.once("error", onError);
      this.#server.listen({ host: address, port, exclusive: true }, () => {
        this.#server.off("error", onError);
        this.#server.on("error", (e) => this.logger.error({ err: e }, "SIP TCP server error"));
        resolve((this.#server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Writes to the connection with `host:port`, opening one if there is none. */
  send(host: string, port: number, data: Buffer | string): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("TCP transport closed"));
    const key = `${host}:${port}`;
    let socket = this.#connections.get(key);
    if (!socket || socket.destroyed) {
      socket = net.connect({ host, port, noDelay: true });
      this.#adopt(socket, key);
    }
    const s = socket;
    return new Promise((resolve, reject) => s.write(data, (err) => (err ? reject(err) : resolve())));
  }

  has(host: string, port: number): boolean {
    return this.#connections.has(`${host}:${port}`);
  }

  get size(): number {
    return this.#connections.size;
  }

  /** Closes the listener and every connection; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const socket of this.#connections.values()) socket.destroy();
    this.#connections.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #adopt(socket: net.Socket, outboundKey: string | undefined): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const remote = (): { address: string; port: number } =>
      outboundKey !== undefined
        ? { address: outboundKey.slice(0, outboundKey.lastIndexOf(":")), port: Number(outboundKey.slice(outboundKey.lastIndexOf(":") + 1)) }
        : { address: normalizeAddress(socket.remoteAddress ?? ""), port: socket.remotePort ?? 0 };
    const source = remote();
    const key = outboundKey ?? `${source.address}:${source.port}`;
    this.#connections.set(key, socket);
    socket.setNoDelay(true);
    socket.setTimeout(TCP_IDLE_TIMEOUT_MS, () => socket.destroy());
    const framer = new SipStreamFramer({
      message: (text) => this.handlers.message(text, source),
      ping: () => {
        if (socket.writable) socket.write("\r\n");
      },
      error: (reason) => {
        this.handlers.malformed(reason, source);
        socket.destroy();
      },
    });
    socket.on("data", (chunk: Buffer) => framer.push(chunk));
    socket.on("error", (e) => this.logger.debug({ err: e, remote: key }, "SIP TCP connection error"));
    socket.on("close", () => {
      if (this.#connections.get(key) === socket) this.#connections.delete(key);
    });
  }
}
