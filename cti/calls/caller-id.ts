// Caller ID for outgoing calls (manual: "Caller ID for Outgoing Calls"). Custom caller IDs are defined per tenant
// with a name and a caller ID string. Private calls use the default chosen for them, and the agent may select
// another one only when that is allowed; calls for a service group follow the group's own default and permission.
// How the chosen string reaches the far end depends on the type of the call manager that carries the call:
//
//   OAS  the string is PREPENDED to the dialled number (811 + 5551234 → Request-URI user 8115551234); the call
//        manager's number translation on that route access code replaces the agent's number. The bridge does no
//        number translation of its own: the dialled number is sent as given.
//   TAS  the string is sent whole, as the user of From and P-Asserted-Identity; the Request-URI is the dialled
//        number.
//   Without a custom caller ID, both send the dialled number as it is and the agent's extension as the caller.
import type { CallManagerConfig, CallerIdSelectionConfig, Config, CustomCallerIdConfig } from "../config/schema.js";
import { CtiError, Errors } from "../errors.js";

export type CustomCallerId = CustomCallerIdConfig;
export type CallerIdSelection = CallerIdSelectionConfig;

/** What the agent asks for: a custom caller ID by name (optional), for a service group's call or a private one. */
export interface CallerIdRequest {
  callerId?: string;
  serviceGroup?: string;
}

/** The caller ID rules of one tenant, from the configuration. */
export class CallerIdPolicy {
  readonly #byName = new Map<string, CustomCallerId>();
  readonly #privateCalls: CallerIdSelection;
  readonly #groups = new Map<string, CallerIdSelection>();

  constructor(config: Pick<Config, "callerIds" | "serviceGroups"> & { system: Pick<Config["system"], "privateCallerId"> }) {
    for (const c of config.callerIds) this.#byName.set(c.name, c);
    this.#privateCalls = config.system.privateCallerId;
    for (const g of config.serviceGroups) this.#groups.set(g.id, g.callerId);
  }

  /**
   * The custom caller ID a call goes out with, or undefined for none (the agent's own number). A name the agent
   * gives is used when the call's selection allows choosing, or when it is the default anyway; with no name, the
   * default applies. Throws SERVICE_GROUP_UNKNOWN, CALLER_ID_UNKNOWN, CALLER_ID_NOT_ALLOWED.
   */
  choose(request: CallerIdRequest): CustomCallerId | undefined {
    const selection = this.selectionFor(request.serviceGroup);
    const wanted = request.callerId;
    if (wanted === undefined) return selection.default === undefined ? undefined : this.#byName.get(selection.default);
    const custom = this.#byName.get(wanted);
    if (!custom) throw new CtiError(Errors.CALLER_ID_UNKNOWN, wanted);
    // The manual's permission is to select a *different* caller ID: naming the default is no selection.
    if (!selection.agentMaySelect && wanted !== selection.default) {
      const where = request.serviceGroup === undefined ? "private calls" : `service group ${request.serviceGroup}`;
      throw new CtiError(Errors.CALLER_ID_NOT_ALLOWED, `${where}: the agent may not select caller ID ${wanted}`);
    }
    return custom;
  }

  /** The default and permission for a service group's calls, or for private calls when no group is given. */
  selectionFor(serviceGroup: string | undefined): CallerIdSelection {
    if (serviceGroup === undefined) return this.#privateCalls;
    const selection = this.#groups.get(serviceGroup);
    if (!selection) throw new CtiError(Errors.SERVICE_GROUP_UNKNOWN, serviceGroup);
    return selection;
  }

  get names(): string[] {
    return [...this.#byName.keys()];
  }
}

/** The INVITE to the destination: its Request-URI user and its caller (From and P-Asserted-Identity user). */
export interface DestinationAddress {
  target: string;
  from: string;
}

/** Applies a custom caller ID the way the carrying call manager's type wants it (see the top of the file). */
export function addressDestination(
  callManagerType: CallManagerConfig["type"],
  destination: string,
  agentExtension: string,
  callerId: CustomCallerId | undefined,
): DestinationAddress {
  if (!callerId) return { target: destination, from: agentExtension };
  if (callManagerType === "OAS") return { target: callerId.callerId + destination, from: agentExtension };
  return { target: destination, from: callerId.callerId };
}

/** Configuration problems with caller IDs (duplicate names, defaults naming no caller ID), for the schema check. */
export function callerIdConfigProblems(
  config: Pick<Config, "callerIds" | "serviceGroups"> & { system: Pick<Config["system"], "privateCallerId"> },
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const names = new Set<string>();
  config.callerIds.forEach((c, i) => {
    if (names.has(c.name)) problems.push({ path: ["callerIds", i, "name"], message: `duplicate caller ID name "${c.name}"` });
    names.add(c.name);
  });
  const unknown = (name: string) => `unknown caller ID "${name}" (callerIds[].name: ${[...names].join(", ") || "none defined"})`;
  const privateDefault = config.system.privateCallerId.default;
  if (privateDefault !== undefined && !names.has(privateDefault)) {
    problems.push({ path: ["system", "privateCallerId", "default"], message: unknown(privateDefault) });
  }
  config.serviceGroups.forEach((g, i) => {
    const groupDefault = g.callerId.default;
    if (groupDefault !== undefined && !names.has(groupDefault)) {
      problems.push({ path: ["serviceGroups", i, "callerId", "default"], message: unknown(groupDefault) });
    }
  });
  return problems;
}
