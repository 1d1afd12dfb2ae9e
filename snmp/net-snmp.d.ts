// Types for the parts of npm `net-snmp` (3.29, untyped CommonJS) that the SNMP forwarder and agent use.
// Only what ctibridge calls is declared; widen here when a new call is needed.
declare module "net-snmp" {
  import type * as dgram from "node:dgram";

  export const Version1: 0;
  export const Version2c: 1;
  export const Version3: 3;
  export type Version = 0 | 1 | 3;

  export const ObjectType: {
    Boolean: 1; Integer: 2; OctetString: 4; Null: 5; OID: 6; IpAddress: 64; Counter: 65; Gauge: 66; TimeTicks: 67;
    Counter64: 70; NoSuchObject: 128; NoSuchInstance: 129; EndOfMibView: 130;
    Integer32: 2; Counter32: 65; Gauge32: 66; Unsigned32: 66;
  };
  export const SecurityLevel: { noAuthNoPriv: 1; authNoPriv: 2; authPriv: 3 };
  export const AuthProtocols: { none: "1"; md5: "2"; sha: "3"; sha224: "4"; sha256: "5"; sha384: "6"; sha512: "7" };
  export const PrivProtocols: { none: "1"; des: "2"; aes: "4"; aes256b: "6"; aes256r: "8" };
  export const AccessControlModelType: { None: 0; Simple: 1 };
  export const AccessLevel: { None: 0; ReadOnly: 1; ReadWrite: 2 };
  export const MibProviderType: { Scalar: 1; Table: 2 };
  export const MaxAccess: Record<string, number>;
  export const OidFormat: { oid: "oid"; path: "path"; module: "module" };

  export interface Varbind {
    oid: string;
    type: number;
    value: unknown;
  }

  export interface User {
    name: string;
    level: number;
    authProtocol?: string;
    authKey?: string;
    privProtocol?: string;
    privKey?: string;
  }

  export interface SessionOptions {
    port?: number;
    trapPort?: number;
    retries?: number;
    timeout?: number;
    backoff?: number;
    transport?: "udp4" | "udp6";
    version?: Version;
    sourceAddress?: string;
    engineID?: string;
    context?: string;
    idBitsSize?: 16 | 32;
  }

  export interface Session {
    trap(oid: string, varbinds: Varbind[], options: { agentAddr?: string; upTime?: number }, callback: (error: Error | null) => void): void;
    inform(oid: string, varbinds: Varbind[], options: { upTime?: number }, callback: (error: Error | null, varbinds?: Varbind[]) => void): void;
    get(oids: string[], callback: (error: Error | null, varbinds?: Varbind[]) => void): void;
    close(): void;
    on(event: "error", listener: (error: Error) => void): this;
    on(event: "close", listener: () => void): this;
  }

  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options?: SessionOptions): Session;

  export class RequestTimedOutError extends Error {}
  export class RequestFailedError extends Error {
    rinfo?: { address: string; port: number; family: string };
  }

  export interface ProviderDefinition {
    name: string;
    type: number;
    oid: string;
    scalarType?: number;
    maxAccess: number;
    tableName?: string;
    tableColumns?: { number: number; name: string; type: number; maxAccess: number; constraints?: unknown }[];
    tableIndex?: { columnName: string }[];
    constraints?: { sizes?: { min: number; max: number }[]; enumeration?: Record<string, string> };
    handler?: (request: { done(error?: { errorStatus: number }): void }) => void;
  }

  export interface Mib {
    registerProvider(definition: ProviderDefinition): void;
    setScalarValue(name: string, value: unknown): void;
    getScalarValue(name: string): unknown;
    addTableRow(name: string, row: unknown[]): void;
    deleteTableRow(name: string, index: unknown[]): boolean;
    getTableCells(name: string, byRow?: boolean, includeInstances?: boolean): unknown[][] | undefined;
  }

  export interface SimpleAccessControlModel {
    setCommunityAccess(community: string, level: number): void;
  }

  export interface Authorizer {
    addCommunity(community: string): void;
    getAccessControlModel(): SimpleAccessControlModel | null;
  }

  export interface AgentOptions {
    port?: number;
    address?: string | null;
    transport?: "udp4" | "udp6";
    disableAuthorization?: boolean;
    accessControlModelType?: number;
    engineID?: string;
    dgramModule?: { createSocket(type: "udp4" | "udp6"): dgram.Socket };
  }

  export interface Agent {
    getMib(): Mib;
    getAuthorizer(): Authorizer;
    close(callback?: () => void): void;
  }

  export function createAgent(
    options: AgentOptions,
    callback: (error: (Error & { rinfo?: { address: string; port: number } }) | null, data?: unknown) => void,
    mib?: Mib,
  ): Agent;

  export interface MibModuleEntry {
    ObjectName: string;
    MACRO?: string;
    OID?: string;
    SYNTAX?: unknown;
    OBJECTS?: string[];
    "MAX-ACCESS"?: string;
  }

  export interface ModuleStore {
    loadFromFile(file: string): void;
    getModule(name: string): Record<string, MibModuleEntry> | undefined;
    getProvidersForModule(name: string): ProviderDefinition[];
    translate(oid: string, format: "oid" | "path" | "module"): string;
  }

  export function createModuleStore(options?: { baseModules?: string[] }): ModuleStore;

  const snmp: {
    Version1: typeof Version1;
    Version2c: typeof Version2c;
    Version3: typeof Version3;
    ObjectType: typeof ObjectType;
    SecurityLevel: typeof SecurityLevel;
    AuthProtocols: typeof AuthProtocols;
    PrivProtocols: typeof PrivProtocols;
    AccessControlModelType: typeof AccessControlModelType;
    AccessLevel: typeof AccessLevel;
    MibProviderType: typeof MibProviderType;
    MaxAccess: typeof MaxAccess;
    OidFormat: typeof OidFormat;
    createSession: typeof createSession;
    createV3Session: typeof createV3Session;
    createAgent: typeof createAgent;
    createModuleStore: typeof createModuleStore;
    RequestTimedOutError: typeof RequestTimedOutError;
    RequestFailedError: typeof RequestFailedError;
  };
  export default snmp;
}
