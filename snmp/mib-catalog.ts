// The project's MIB loaded at run time with net-snmp's ModuleStore, so notification names, OIDs, varbind order
// (the OBJECTS clause) and object types live in one place: mib/SEC-CC-EVENTS-MIB.txt. Code names things; the MIB
// numbers them. A name the MIB lacks is a startup error, not a silently wrong trap.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import snmp, { type ProviderDefinition } from "net-snmp";
import { CtiError, Errors } from "../cti/errors.js";

export const MIB_MODULE = "SEC-CC-EVENTS-MIB";

/** mib/SEC-CC-EVENTS-MIB.txt beside the snmp/ folder (in the source tree and in dist/, where the build copies it). */
export const DEFAULT_MIB_FILE = join(dirname(fileURLToPath(import.meta.url)), "..", "mib", `${MIB_MODULE}.txt`);

export interface MibObject {
  name: string;
  /** OID of the object type (without instance). */
  oid: string;
  /** net-snmp ObjectType of its values. */
  type: number;
  /** Largest length in octets for OCTET STRING objects (refined SIZE, else the base type's). */
  maxLength: number | undefined;
  /** Enumerated labels → numbers, for INTEGER enumerations. */
  enumeration: Map<string, number> | undefined;
}

export interface MibNotification {
  name: string;
  oid: string;
  /** SNMPv1 specific-trap number (RFC 3584 §3.1: the last sub-identifier of E.0.N). */
  specificTrap: number;
  /** Object names in the order of the OBJECTS clause: the varbind order. */
  objects: string[];
}

export class MibCatalog {
  readonly file: string;
  /** secCCEvents: the v1 enterprise. */
  readonly enterpriseOid: string;
  readonly #objects = new Map<string, MibObject>();
  readonly #notifications = new Map<string, MibNotification>();
  readonly #statusProviders: ProviderDefinition[];
  readonly #systemProviders: ProviderDefinition[];

  private constructor(file: string) {
    this.file = file;
    const store = snmp.createModuleStore();
    try {
      store.loadFromFile(file);
    } catch (e) {
      throw new CtiError(Errors.CONFIG_INVALID, `cannot load MIB ${file}: ${(e as Error).message}`, { cause: e });
    }
    const module = store.getModule(MIB_MODULE);
    if (!module) throw new CtiError(Errors.CONFIG_INVALID, `${file} does not define ${MIB_MODULE}`);
    const enterprise = module.secCCEvents?.OID;
    if (!enterprise) throw new CtiError(Errors.CONFIG_INVALID, `${MIB_MODULE} does not define secCCEvents`);
    this.enterpriseOid = enterprise;

    const providers = store.getProvidersForModule(MIB_MODULE);
    const byName = new Map(providers.map((p) => [p.name, p]));
    const refinedSizes = parseRefinedSizes(readFileSync(file, "utf8"));
    for (const entry of Object.values(module)) {
      if (entry.MACRO === "OBJECT-TYPE" && entry.OID) {
        const provider = byName.get(entry.ObjectName);
        if (!provider || provider.scalarType === undefined) continue; // tables, entries and columns
        const enumeration = provider.constraints?.enumeration;
        this.#objects.set(entry.ObjectName, {
          name: entry.ObjectName,
          oid: entry.OID,
          type: provider.scalarType,
          maxLength: refinedSizes.get(entry.ObjectName) ?? provider.constraints?.sizes?.reduce((m, s) => Math.max(m, s.max), 0),
          enumeration: enumeration ? new Map(Object.entries(enumeration).map(([n, label]) => [label, Number(n)])) : undefined,
        });
      } else if (entry.MACRO === "NOTIFICATION-TYPE" && entry.OID) {
        const arcs = entry.OID.split(".");
        this.#notifications.set(entry.ObjectName, {
          name: entry.ObjectName,
          oid: entry.OID,
          specificTrap: Number(arcs[arcs.length - 1]),
          objects: entry.OBJECTS ?? [],
        });
      }
    }
    // Readable scalars and the tables (whose own maxAccess is not-accessible; their columns say what is readable).
    this.#statusProviders = providers.filter(
      (p) => p.type === snmp.MibProviderType.Table || p.maxAccess >= (snmp.MaxAccess["read-only"] ?? 2),
    );
    const system = new Set(["sysDescr", "sysObjectID", "sysUpTime", "sysContact", "sysName", "sysLocation", "sysServices"]);
    this.#systemProviders = store.getProvidersForModule("SNMPv2-MIB").filter((p) => system.has(p.name));
  }

  /** Loads (once per file) and checks the MIB. */
  static load(file: string = DEFAULT_MIB_FILE): MibCatalog {
    let catalog = cache.get(file);
    if (!catalog) {
      catalog = new MibCatalog(file);
      cache.set(file, catalog);
    }
    return catalog;
  }

  notification(name: string): MibNotification {
    const n = this.#notifications.get(name);
    if (!n) throw new CtiError(Errors.CONFIG_INVALID, `${MIB_MODULE} has no notification ${name}`);
    return n;
  }

  object(name: string): MibObject {
    const o = this.#objects.get(name);
    if (!o) throw new CtiError(Errors.CONFIG_INVALID, `${MIB_MODULE} has no object ${name}`);
    return o;
  }

  notificationNames(): string[] {
    return [...this.#notifications.keys()];
  }

  /** Read-only status objects of this MIB, as net-snmp agent providers (fresh copies). */
  statusProviders(): ProviderDefinition[] {
    return structuredClone(this.#statusProviders);
  }

  /** The SNMPv2-MIB system group (sysDescr … sysServices) as agent providers. */
  systemProviders(): ProviderDefinition[] {
    return structuredClone(this.#systemProviders);
  }
}

const cache = new Map<string, MibCatalog>();

/** `name OBJECT-TYPE SYNTAX SomeText (SIZE (0..128))`: the refinement ModuleStore folds into the base type. */
function parseRefinedSizes(text: string): Map<string, number> {
  const sizes = new Map<string, number>();
  const re = /^(\w+)\s+OBJECT-TYPE\s+SYNTAX\s+[\w-]+(?:\s+STRING)?\s*\(\s*SIZE\s*\(\s*\d+\s*\.\.\s*(\d+)\s*\)\s*\)/gm;
  for (const m of text.matchAll(re)) sizes.set(m[1]!, Number(m[2]));
  return sizes;
}
