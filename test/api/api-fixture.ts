// A real Open Interface on 127.0.0.1 (port 0) over a real SQLite store in a temp dir, a real AgentRegistry,
// PhoneAgentService and EventBus, and three call managers: cm-a1 and cm-a2 in site "north", cm-b1 in site "south".
// The ACD view is a small in-test implementation the test fills.
import { Writable } from "node:stream";
import type { ExecutionContext } from "ava";
import { AgentRegistry } from "../../cti/agents/agent-registry.js";
import { PhoneAgentService } from "../../cti/agents/phone-agent-service.js";
import { callManagerSchema, type CallManagerConfig } from "../../cti/config/schema.js";
import { EventBus } from "../../cti/events/event-bus.js";
import { createLogger } from "../../cti/log.js";
import { openStore, type Store } from "../../cti/store/open-store.js";
import { startOpenInterface, type AcdView, type CallView, type OpenInterface, type ServiceGroupView } from "../../cti/api/open-interface.js";
import type { EventStreamLimits } from "../../cti/api/event-stream.js";
import { makeTempDir } from "../harness/temp-dir.js";

export const TENANT = -1;

export const CALL_MANAGERS: CallManagerConfig[] = [
  { id: "cm-a1", name: "North 1", site: "north", type: "TAS", host: "127.0.0.1", port: 5071 },
  { id: "cm-a2", name: "North 2", site: "north", type: "TAS", host: "127.0.0.1", port: 5072 },
  { id: "cm-b1", name: "South 1", site: "south", type: "TAS", host: "127.0.0.1", port: 5073 },
].map((cm) => callManagerSchema.parse(cm));

export class TestAcd implements AcdView {
  callList: CallView[] = [];
  groupList: ServiceGroupView[] = [];
  calls(): CallView[] {
    return this.callList;
  }
  serviceGroups(): ServiceGroupView[] {
    return this.groupList;
  }
}

/** Every log line, parsed, so tests can check what was (not) logged. */
export class LogCapture extends Writable {
  readonly text: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text.push(chunk.toString("utf8"));
    done();
  }
  get all(): string {
    return this.text.join("");
  }
}

export interface ApiFixture {
  api: OpenInterface;
  url: string;
  wsUrl: string;
  store: Store;
  bus: EventBus;
  agents: AgentRegistry;
  service: PhoneAgentService;
  acd: TestAcd;
  /** Link state per call manager (default up); set one "down" to take it out of load balancing. */
  links: Map<string, "unknown" | "up" | "down">;
  log: LogCapture;
  addUser(logonId: string): Promise<void>;
  request<T = unknown>(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<{ status: number; body: T; headers: Headers }>;
}

export async function startApi(t: ExecutionContext, options: { tokens?: string[]; eventStream?: Partial<EventStreamLimits> } = {}): Promise<ApiFixture> {
  const dir = makeTempDir(t, "api");
  const log = new LogCapture();
  const logger = createLogger({ level: "debug", destination: log });
  const store = await openStore({ kind: "sqlite", file: dir.join("store.sqlite") }, logger);
  const rowIds = await store.callManagers.sync(TENANT, CALL_MANAGERS);
  const bus = new EventBus();
  const agents = new AgentRegistry(bus);
  const service = new PhoneAgentService({
    store, registry: agents, bus, logger,
    settings: { tenantId: TENANT, restorePhoneAgents: true, lockoutThreshold: 5, stateAfterLogon: "ready" },
    callManagers: CALL_MANAGERS,
    callManagerRowIds: rowIds,
  });
  const links = new Map<string, "unknown" | "up" | "down">(CALL_MANAGERS.map((cm) => [cm.id, "up"]));
  const acd = new TestAcd();
  const api = await startOpenInterface({
    address: "127.0.0.1",
    port: 0,
    tokens: options.tokens ?? [],
    logger,
    agents,
    phoneAgents: service,
    users: store.users,
    callManagers: CALL_MANAGERS,
    usage: { linkState: (id) => links.get(id) ?? "unknown", agentCount: (id) => agents.countOnCallManager(id) },
    acd,
    bus,
    health: {
      version: "9.9.9",
      startedAt: new Date(),
      callManagers: () => CALL_MANAGERS.map((cm) => ({ id: cm.id, name: cm.name, state: links.get(cm.id) ?? "unknown" })),
      media: () => ({ portsTotal: 10, portsFree: 10 }),
      activeCalls: () => 0,
      sip: () => ({ retransmissions: 0, malformed: 0, forbidden: 0 }),
    },
    ...(options.eventStream ? { eventStream: options.eventStream } : {}),
  });
  t.teardown(async () => {
    await api.server.close();
    await store.close();
  });
  const url = `http://127.0.0.1:${api.port}`;
  return {
    api, url, wsUrl: `ws://127.0.0.1:${api.port}`, store, bus, agents, service, acd, links, log,
    async addUser(logonId) {
      await store.users.add({ tenantId: TENANT, logonId, pin: "4711" });
    },
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.body !== undefined) headers["content-type"] = "application/json";
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      const response = await fetch(url + path, { method, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}) });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as never, headers: response.headers };
    },
  };
}

export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000, what = "condition"): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
