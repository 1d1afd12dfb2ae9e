// SIP over a byte stream (RFC 3261 18.3): messages are delimited by Content-Length, which is mandatory on
// stream transports. Leading CRLFs are keepalives (RFC 5626 3.5.1: a double CRLF "ping" gets a CRLF "pong").

const CRLFCRLF = Buffer.from("\r\n\r\n");
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im;
const CR = 13;
const LF = 10;

/** Largest header section accepted before a connection is considered garbage. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Largest body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface SipStreamFramerEvents {
  message(text: string): void;
  /** A double-CRLF keepalive ping arrived. */
  ping(): void;
  /** The stream cannot be framed any more (the connection should be closed). */
  error(reason: string): void;
}

export class SipStreamFramer {
  #buffer: Buffer = Buffer.alloc(0);
  #failed = false;

  constructor(private readonly events: SipStreamFramerEvents) {}

  push(chunk: Buffer): void {
    if (this.#failed) return;
    let buf = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      let start = 0;
      while (start < buf.length && (buf[start] === CR || buf[start] === LF)) start++;
      if (start >= 4) this.events.ping();
      if (start === buf.length) {
        buf = Buffer.alloc(0);
        break;
      }
      const headEnd = buf.indexOf(CRLFCRLF, start);
      if (headEnd < 0) {
        if (buf.length - start > MAX_HEADER_BYTES) return this.#fail("header section too long");
        buf = buf.subarray(start);
        break;
      }
      const head = buf.toString("latin1", start, headEnd);
      const m = CONTENT_LENGTH.exec(head);
      const bodyLength = m ? Number(m[1]) : 0;
      if (bodyLength > MAX_BODY_BYTES) return this.#fail("body too long");
      const total = headEnd + 4 + bodyLength;
      if (buf.length < total) {
        buf = buf.subarray(start);
        break;
      }
      const text = buf.toString("utf8", start, total);
      buf = buf.subarray(total);
      this.events.message(text);
      if (this.#failed) return;
    }
    // Copy a small remainder so the large chunk it came from can be collected.
    this.#buffer = buf.length > 0 && buf.length < 4096 ? Buffer.from(buf) : buf;
  }

  #fail(reason: string): void {
    this.#failed = true;
    this.#buffer = Buffer.alloc(0);
    this.events.error(reason);
  }
}
