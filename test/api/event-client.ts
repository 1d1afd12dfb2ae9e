// A real WebSocket client (the ws package) for GET /events: collects messages, reports a refused upgrade's status.
import { WebSocket } from "ws";
import { eventually } from "./api-fixture.js";

export interface EventMessage {
  event: string;
  time: string;
  data: Record<string, unknown>;
}

export class EventClient {
  readonly messages: EventMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (raw) => this.messages.push(JSON.parse(raw.toString()) as EventMessage));
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens the stream; rejects with the HTTP status and body when the server refuses the upgrade. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<EventClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new EventClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        const refused = () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body }));
        res.on("end", refused);
        res.on("close", refused);
      });
      ws.once("error", reject);
    });
  }

  async waitFor(count: number, timeoutMs = 3000): Promise<EventMessage[]> {
    await eventually(() => this.messages.length >= count, timeoutMs, `${count} event messages (have ${this.messages.length})`);
    return this.messages;
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close(1000);
    return this.closed;
  }
}
