// The daemon: wires configuration, store, media server, SIP stack, IVR, agents and the Open Interface together,
// and takes them down again in the reverse order.
//
//   start: config ─► store (migrations, call managers) ─► media ─► scripts ─► SIP ─► restore agents ─► HTTP ─► started
//   stop:  HTTP closed ─► SIP calls ended (BYE/CANCEL) and sockets closed ─► media ─► store ─► stopped
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { loadConfig, type LoadedConfig } from "./config/load-config.js";
import type { Config } from "./config/schema.js";
import { createLogger, type Logger } from "./log.js";
import { EventBus } from "./events/event-bus.js";
import { openStore, type Store } from "./store/open-store.js";
import { StoreHealthMonitor } from "./store/store-health-monitor.js";
import { CallDetailRecorder } from "./cdr/call-detail-recorder.js";
import { AgentCallRecorder } from "./cdr/agent-call-recorder.js";
import { MediaServer } from "../ivr/media/media-server.js";
import { PromptLibrary } from "../ivr/media/prompt-library.js";
import { promptExists } from "../ivr/prompt-exists.js";
import { ActionRegistry } from "../ivr/actions.js";
import { ScriptEngine } from "../ivr/script-engine.js";
import { DataSources } from "../ivr/blocks/data-sources.js";
import { ScriptLibrary } from "../ivr/script-library.js";
import { SipStack } from "./sip/index.js";
import { AgentRegistry } from "./agents/agent-registry.js";
import { PhoneAgentService } from "./agents/phone-agent-service.js";
import { registerAgentActions } from "./agents/agent-actions.js";
import { restorePhoneAgents, type RestoreReport } from "./agents/restore-phone-agents.js";
import { CallManagerFailover } from "./agents/call-manager-failover.js";
import { BvdTable } from "./routing/bvd-table.js";
import { routeIncomingCall } from "./calls/route-incoming-call.js";
import { CallDistributor } from "./calls/call-distributor.js";
import { RecordingRegistry } from "./recording/recording-registry.js";
import { MakeCallService } from "./calls/make-call.js";
import { CallerIdPolicy } from "./calls/caller-id.js";
import { withAgentMadeCalls } from "./api/make-call-routes.js";
import { serviceGroupReferences } from "./calls/service-group-references.js";
import { customerAuthenticationSetup } from "./calls/customer-authentication/customer-authentication-config.js";
import { scriptHandOff } from "./calls/script-hand-off.js";
import type { IvrCallDependencies } from "./calls/ivr-call.js";
import { SourceInvalidError } from "./config/yaml-source.js";
import { AgentTransfers } from "./calls/agent-transfer/agent-transfers.js";
import { PersonalCallRouter } from "./calls/personal-routing/personal-call-router.js";
import { TransferHairpins } from "./calls/agent-transfer/hairpin-transfer.js";
import { handleAgentRefer } from "./calls/agent-transfer/refer-transfer.js";
import { startOpenInterface } from "./api/open-interface.js";
import { logBusEvents } from "./events/log-bus-events.js";
import { VERSION } from "./version.js";
import { startSnmp, type SnmpService } from "../snmp/snmp-service.js";
import { ObjectTagDirectory } from "./object-tags/object-tag-directory.js";

export interface DaemonOptions {
  /** Configuration file; the demo configuration when absent. */
  configFile?: string;
  /** Directory for the SQLite store (default ./var). */
  dataDir?: string;
  logger?: Logger;
}

type DaemonState = "starting" | "running" | "stopping" | "stopped";

export class Daemon {
  readonly config: Config;
  readonly configFile: string;
  readonly #loaded: LoadedConfig;
  readonly logger: Logger;
  readonly bus = new EventBus();
  readonly agents: AgentRegistry;
  readonly startedAt = new Date();
  #state: DaemonState = "starting";
  #store: Store | undefined;
  #media: MediaServer | undefined;
  #sip: SipStack | undefined;
  #http: FastifyInstance | undefined;
  #service: PhoneAgentService | undefined;
  #failover: CallManagerFailover | undefined;
  #httpPort = 0;
  #snmp: SnmpService | undefined;
  #storeHealth: StoreHealthMonitor | undefined;
  #distributor: CallDistributor | undefined;
  #makeCalls: MakeCallService | undefined;
  #transfers: AgentTransfers | undefined;
  #personalCalls: PersonalCallRouter | undefined;
  #recording: RecordingRegistry | undefined;
  #callDetails: CallDetailRecorder | undefined;
  #agentCallDetails: AgentCallRecorder | undefined;
  #scripts: ScriptLibrary | undefined;
  #dataSources: DataSources | undefined;
  #activeCalls = new Set<Promise<void>>();
  #stopping: Promise<void> | undefined;
  restoreReport: RestoreReport | undefined;

  private constructor(loaded: LoadedConfig, logger: Logger) {
    this.config = loaded.config;
    this.configFile = loaded.file;
    this.#loaded = loaded;
    this.logger = logger;
    this.agents = new AgentRegistry(this.bus);
    this.bus.onListenerError = (event, error) => logger.error({ event, err: error }, "event listener failed");
  }

  /** Loads the configuration (throws SourceInvalidError on problems) and starts everything. */
  static async start(options: DaemonOptions = {}): Promise<Daemon> {
    const loaded = loadConfig(options.configFile);
    const logger = options.logger ?? createLogger({ level: loaded.config.logging.level });
    const daemon = new Daemon(loaded, logger);
    try {
      await daemon.#start(resolve(options.dataDir ?? "var"));
    } catch (e) {
      await daemon.stop().catch(() => undefined);
      throw e;
    }
    return daemon;
  }

  get state(): DaemonState {
    return this.#state;
  }
  get sipPort(): number {
    return this.#sip?.port ?? 0;
  }
  get httpPort(): number {
    return this.#httpPort;
  }
  get store(): Store {
    return started(this.#store, "store");
  }
  get media(): MediaServer {
    return started(this.#media, "media server");
  }
  get sip(): SipStack {
    return started(this.#sip, "SIP stack");
  }
  get phoneAgents(): PhoneAgentService {
    return started(this.#service, "phone agent service");
  }
  get distributor(): CallDistributor {
    return started(this.#distributor, "call distributor");
  }
  get snmp(): SnmpService | undefined {
    return this.#snmp;
  }
  get activeCalls(): number {
    return this.#activeCalls.size;
  }

  async #start(dataDir: string): Promise<void> {
    const { config, logger, bus } = this;
    logBusEvents(bus, logger);
    logger.info({ version: VERSION, config: this.configFile, dataDir }, "ctibridge starting");

    if (config.store.kind === "sqlite") mkdirSync(dataDir, { recursive: true });
    this.#store =
      config.store.kind === "sqlite"
        ? await openStore({ kind: "sqlite", file: join(dataDir, config.store.file) }, logger)
        : await openStore({ kind: "mssql", url: config.store.url! }, logger);
    const rowIds = await this.#store.callManagers.sync(config.system.tenantId, config.callManagers);
    this.#callDetails = new CallDetailRecorder({ bus, callDetails: this.#store.callDetails, tenantId: config.system.tenantId, logger });
    this.#agentCallDetails = new AgentCallRecorder({ bus, agentCallDetails: this.#store.agentCallDetails, tenantId: config.system.tenantId, logger });

    this.#media = new MediaServer({ ...config.media, logger, bus });
    const prompts = new PromptLibrary();
    const actions = new ActionRegistry();
    this.#service = new PhoneAgentService({
      store: this.#store,
      registry: this.agents,
      bus,
      logger,
      settings: {
        tenantId: config.system.tenantId,
        restorePhoneAgents: config.system.restorePhoneAgents,
        lockoutThreshold: config.system.lockoutThreshold,
        stateAfterLogon: config.system.stateAfterLogon,
      },
      callManagers: config.callManagers,
      callManagerRowIds: rowIds,
    });
    registerAgentActions(actions, this.#service);

    const bvds = new BvdTable(config.bvds);
    const scripts = loadConfiguredIvr(this.#loaded, actions.names, prompts);
    this.#scripts = scripts;
    this.#dataSources = new DataSources(config.dataSources, { dataDir, logger });
    void this.#dataSources.check(); // logs each data source's state; never throws
    // Object tags are read from the database at each lookup, so `ctibridge object-tag …` changes apply at once.
    const objectTags = ObjectTagDirectory.forConfig(this.#store, config, (name) => promptExists(prompts, name, config.system.language));
    const engine = new ScriptEngine({ actions, logger, bus, dataSources: this.#dataSources, objectTags });

    // Recorders INVITE recording URIs from their own addresses: they are trusted peers too.
    const trustedPeers = [...config.sip.trustedPeers, ...config.recording.allowedRecorders];
    this.#sip = new SipStack({ ...config.sip, trustedPeers, callManagers: config.callManagers, logger, bus });
    const ivr = {
      scripts, engine, prompts, logger,
      media: this.#media,
      language: config.system.language,
      scriptSettings: { LOGON_ATTEMPTS: String(config.system.logonAttemptsPerCall) },
    };
    await this.#sip.start();
    const recording = new RecordingRegistry({ config: config.recording, sipAddress: config.sip.address, sipPort: this.#sip.port, media: this.#media, bus, logger });
    this.#recording = recording;

    const usage = {
      linkState: (id: string) => this.#sip!.linkState(id),
      agentCount: (id: string) => this.agents.countOnCallManager(id),
    };
    this.restoreReport = await restorePhoneAgents({
      store: this.#store,
      service: this.#service,
      callManagers: config.callManagers,
      callManagerByRowId: new Map([...rowIds].map(([id, row]) => [row, id])),
      usage,
      logger,
    });
    // After the restore, so agents restored at a call manager that is down by now are moved at once.
    this.#failover = new CallManagerFailover({
      bus,
      registry: this.agents,
      phoneAgents: this.#service,
      callManagers: config.callManagers,
      usage,
      retryMs: config.system.failoverRetry,
      logger,
    });
    this.#failover.start();

    // After the restore, so restored agents are known to the queues before the first call is routed.
    const distributor = new CallDistributor({
      serviceGroups: config.serviceGroups,
      serviceAccesses: config.serviceAccesses,
      ringTimeSupervision: config.system.ringTimeSupervision,
      language: config.system.language,
      agents: this.agents,
      phoneAgents: this.#service,
      sip: this.#sip,
      media: this.#media,
      prompts,
      ivr,
      defaultCallManagerId: config.callManagers[0]!.id,
      recording,
      customerAuthentication: customerAuthenticationSetup(config),
      bus,
      logger,
    });
    this.#distributor = distributor;
    // Personal call routing: groups with personalCalls hand their callers to it (cti/calls/personal-routing/).
    const personalCalls = new PersonalCallRouter({
      offers: distributor, users: this.#store.users, tenantId: config.system.tenantId, agents: this.agents,
      sip: this.#sip, media: this.#media, prompts, language: config.system.language,
      systemDefaultDestination: config.system.defaultDestination,
      defaultCallManagerId: config.callManagers[0]!.id, bus, logger,
    });
    this.#personalCalls = personalCalls;
    distributor.setPersonalCallHook(personalCalls);
    const transfers = new AgentTransfers({
      distributor, agents: this.agents, bvds, callManagers: config.callManagers,
      attendant: config.attendant, sip: this.#sip, media: this.#media, bus, logger,
    });
    this.#transfers = transfers;
    distributor.onAgentRefer = (callId, agentCallId, refer) => void handleAgentRefer(transfers, callId, agentCallId, refer, logger);
    const transferHairpins = new TransferHairpins({ transfers, distributor, logger });
    const makeCalls = new MakeCallService({
      agents: this.agents,
      sip: this.#sip,
      media: this.#media,
      callManagers: config.callManagers,
      callerIds: new CallerIdPolicy(config),
      agentRingTime: config.system.ringTimeSupervision,
      recording,
      bus,
      logger,
    });
    this.#makeCalls = makeCalls;
    // BVD scripts may hand their call on (queue, divert blocks).
    const handOffDeps = { bvds, distributor, sip: this.#sip, defaultCallManagerId: config.callManagers[0]!.id, logger };
    const scriptCalls: IvrCallDependencies = { ...ivr, handOff: (call, endpoint) => scriptHandOff(call, endpoint, scriptCalls, handOffDeps) };
    this.#sip.delegate = {
      onIncomingCall: (call) => {
        const handled = routeIncomingCall(call, { bvds, ivr: scriptCalls, distributor, recording, transferHairpins }).finally(() => this.#activeCalls.delete(handled));
        this.#activeCalls.add(handled);
      },
    };

    const api = await startOpenInterface({
      ...config.http,
      logger,
      bus,
      agents: this.agents,
      phoneAgents: this.#service,
      users: this.#store.users,
      callManagers: config.callManagers,
      usage,
      acd: withAgentMadeCalls(distributor, makeCalls),
      makeCalls,
      recording,
      customerAuthentication: distributor,
      transfers,
      dispatch: personalCalls,
      objectTags,
      health: {
        version: VERSION,
        startedAt: this.startedAt,
        callManagers: () => this.#callManagerLinks(),
        media: () => ({ portsTotal: this.#media!.portsTotal, portsFree: this.#media!.portsFree }),
        activeCalls: () => this.#activeCalls.size,
        sip: () => ({ ...this.#sip!.stats }),
      },
    });
    this.#http = api.server;
    this.#httpPort = api.port;
    // SNMP last, so service.started is the first notification a manager sees.
    this.#snmp = await startSnmp({
      config: config.snmp,
      bus,
      logger,
      version: VERSION,
      status: {
        agentsByState: () => this.agents.countByState(),
        serviceGroups: () => distributor.serviceGroups().map((g) => ({ name: g.id, waiting: g.waiting, longestWaitSeconds: g.longestWaitSeconds })),
        callManagerLinks: () => this.#callManagerLinks(),
      },
    });
    this.#storeHealth = new StoreHealthMonitor({
      kind: config.store.kind,
      ping: () => this.#store!.ping(),
      intervalMs: config.store.healthCheckInterval,
      bus,
      logger,
    });
    await this.#storeHealth.check();
    this.#storeHealth.start();
    this.#state = "running";
    logger.info({ sip: `${config.sip.address}:${this.sipPort}`, http: `${config.http.address}:${this.#httpPort}` }, "ctibridge running");
    bus.safeEmit("service.started", { version: VERSION, reason: "started" });
  }

  #callManagerLinks(): { id: string; name: string; state: "unknown" | "up" | "down" }[] {
    return this.config.callManagers.map((cm) => ({ id: cm.id, name: cm.name, state: this.#sip?.linkState(cm.id) ?? "unknown" }));
  }

  /**
   * Reads every configured script again (SIGHUP). All of them must be valid, or none is replaced: the error names
   * each problem with file and line and the running scripts stay. Calls in progress finish the script they started.
   */
  reloadScripts(): string[] {
    const scripts = started(this.#scripts, "script library");
    try {
      scripts.loadAll(configuredScriptNames(this.config));
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, "scripts not reloaded: the running scripts stay");
      throw e;
    }
    this.logger.info({ scripts: scripts.names }, "scripts reloaded");
    return scripts.names;
  }

  /** Ends active calls cleanly (BYE/CANCEL), closes the store; idempotent. */
  stop(reason = "stopped"): Promise<void> {
    this.#stopping ??= this.#stop(reason);
    return this.#stopping;
  }

  async #stop(reason: string): Promise<void> {
    this.#state = "stopping";
    this.#storeHealth?.close();
    this.#distributor?.close();
    this.#transfers?.close();
    this.#personalCalls?.close();
    await this.#failover?.close();
    this.#makeCalls?.close();
    this.#recording?.close();
    this.logger.info({ reason, activeCalls: this.#activeCalls.size }, "ctibridge stopping");
    await this.#http?.close().catch((e: Error) => this.logger.warn({ err: e.message }, "HTTP close failed"));
    await this.#sip?.stop().catch((e: Error) => this.logger.warn({ err: e.message }, "SIP stop failed"));
    // Calls end with their SIP dialogs; give their handlers a moment to return their media ports.
    await Promise.race([Promise.allSettled([...this.#activeCalls]), new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.#media?.close();
    await this.#callDetails?.close();
    await this.#agentCallDetails?.close();
    this.bus.safeEmit("service.stopped", { version: VERSION, reason });
    await this.#snmp?.close().catch((e: Error) => this.logger.warn({ err: e.message }, "SNMP close failed"));
    await this.#dataSources?.close();
    await this.#store?.close().catch((e: Error) => this.logger.warn({ err: e.message }, "store close failed"));
    this.#state = "stopped";
    this.logger.info("ctibridge stopped");
  }
}

/** A component only exists between start and stop; asking for it otherwise is a programming error. */
function started<T>(component: T | undefined, what: string): T {
  if (component === undefined) throw new Error(`${what} is not running`);
  return component;
}

/**
 * Loads every script the configuration names (BVDs, queue destinations) and checks every prompt a service group
 * plays exists; throws SourceInvalidError with file:line. check-config runs the same, with the action names alone.
 */
export function loadConfiguredIvr(loaded: LoadedConfig, actionNames: ReadonlySet<string>, prompts: PromptLibrary): ScriptLibrary {
  const { config, source } = loaded;
  const exists = (name: string) => promptExists(prompts, name, config.system.language);
  const dataSourceNames = new Set(config.dataSources.map((d) => d.name));
  const scripts = new ScriptLibrary({ directories: config.scripts.directories, actionNames, promptExists: exists, dataSourceNames });
  const refs = serviceGroupReferences(config);
  const missing = refs.prompts.filter((p) => !exists(p.prompt));
  if (missing.length > 0) throw new SourceInvalidError(missing.map((p) => source.problemAt(p.path, `prompt "${p.prompt}" not found`)));
  scripts.loadAll(configuredScriptNames(config));
  return scripts;
}

/** Every script the configuration names: the BVDs' and the queue destinations'. */
export function configuredScriptNames(config: Config): Set<string> {
  return new Set([...new BvdTable(config.bvds).scriptNames, ...serviceGroupReferences(config).scripts]);
}
