// The even UDP ports media endpoints may bind (RTP on even ports, RFC 3550 §11; RTCP is not used). Ports are
// handed out first-in first-out so a port just released rests while the others are used: late packets of a
// finished call then do not land in the next one.

export class RtpPortPool {
  readonly total: number;
  readonly #ring: Int32Array;
  #head = 0;
  #count = 0;

  constructor(portMin: number, portMax: number) {
    const first = portMin + (portMin & 1);
    this.total = first > portMax ? 0 : Math.floor((portMax - first) / 2) + 1;
    this.#ring = new Int32Array(Math.max(this.total, 1));
    for (let port = first; port <= portMax; port += 2) this.give(port);
  }

  get free(): number {
    return this.#count;
  }

  /** The port free the longest, or undefined when none is. */
  take(): number | undefined {
    if (this.#count === 0) return undefined;
    const port = this.#ring[this.#head]!;
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#count--;
    return port;
  }

  give(port: number): void {
    if (this.#count === this.total) throw new Error(`port ${port} returned to a full pool`);
    this.#ring[(this.#head + this.#count) % this.#ring.length] = port;
    this.#count++;
  }
}
