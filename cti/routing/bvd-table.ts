// The BVD table: which number the call manager routes to the bridge does what. Each kind has a built-in script
// that a BVD entry may replace with its own; a service access number leads either to a script or to a service
// access (and through it to a service group's queue).
import type { BvdConfig } from "../config/schema.js";

export const DEFAULT_SCRIPTS: Record<Exclude<BvdConfig["kind"], "serviceAccess">, string> = {
  logon: "phone-agent-logon",
  logoff: "phone-agent-logoff",
  ready: "phone-agent-ready",
  notReady: "phone-agent-not-ready",
};

export type BvdEntry =
  | { readonly number: string; readonly kind: BvdConfig["kind"]; readonly script: string; readonly serviceAccess?: undefined }
  | { readonly number: string; readonly kind: "serviceAccess"; readonly serviceAccess: string; readonly script?: undefined };

export class BvdTable {
  readonly #entries = new Map<string, BvdEntry>();

  constructor(bvds: readonly BvdConfig[]) {
    for (const bvd of bvds) {
      if (bvd.kind === "serviceAccess" && bvd.serviceAccess) {
        this.#entries.set(bvd.number, { number: bvd.number, kind: "serviceAccess", serviceAccess: bvd.serviceAccess });
        continue;
      }
      const script = bvd.script ?? (bvd.kind === "serviceAccess" ? undefined : DEFAULT_SCRIPTS[bvd.kind]);
      if (!script) throw new Error(`BVD ${bvd.number} has no script`);
      this.#entries.set(bvd.number, { number: bvd.number, kind: bvd.kind, script });
    }
  }

  lookup(dialedNumber: string): BvdEntry | undefined {
    return this.#entries.get(dialedNumber);
  }

  get entries(): BvdEntry[] {
    return [...this.#entries.values()];
  }

  /** Every script the table needs loaded. */
  get scriptNames(): Set<string> {
    return new Set(this.entries.flatMap((e) => (e.script !== undefined ? [e.script] : [])));
  }
}
