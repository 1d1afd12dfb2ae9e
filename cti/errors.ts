// One registry of every error the bridge reports to a user, with a stable code (fastify's FST_ERR_* model).
// Codes are never reused or renumbered; README "Error codes" lists each one and a test keeps the two in step.

export interface ErrorDefinition {
  readonly code: string;
  readonly httpStatus: number;
  readonly message: string;
}

const registry = new Map<string, ErrorDefinition>();

function define(code: string, httpStatus: number, message: string): ErrorDefinition {
  if (registry.has(code)) throw new Error(`error code ${code} defined twice`);
  const def = { code, httpStatus, message };
  registry.set(code, def);
  return def;
}

export const Errors = {
  CONFIG_INVALID: define("CTI_ERR_CONFIG_INVALID", 500, "Configuration is invalid"),
  SCRIPT_INVALID: define("CTI_ERR_SCRIPT_INVALID", 500, "IVR script is invalid"),
  NOT_FOUND: define("CTI_ERR_NOT_FOUND", 404, "No such resource"),
  BAD_REQUEST: define("CTI_ERR_BAD_REQUEST", 400, "The request is malformed"),
  UNAUTHORIZED: define("CTI_ERR_UNAUTHORIZED", 401, "A valid bearer token is required"),
  USER_EXISTS: define("CTI_ERR_USER_EXISTS", 409, "A user with this logon ID already exists"),
  USER_NOT_FOUND: define("CTI_ERR_USER_NOT_FOUND", 404, "No user with this logon ID"),
  USER_LOCKED: define("CTI_ERR_USER_LOCKED", 423, "The account is locked"),
  PIN_INVALID: define("CTI_ERR_PIN_INVALID", 400, "The PIN must be 4 to 12 digits"),
  AGENT_NOT_LOGGED_ON: define("CTI_ERR_AGENT_NOT_LOGGED_ON", 409, "The agent is not logged on"),
  AGENT_STATE: define("CTI_ERR_AGENT_STATE", 409, "The agent state does not allow this change"),
  CALL_MANAGER_UNKNOWN: define("CTI_ERR_CALL_MANAGER_UNKNOWN", 404, "No such call manager"),
  STORE_UNAVAILABLE: define("CTI_ERR_STORE_UNAVAILABLE", 503, "The database cannot be reached"),
  MEDIA_PORTS_EXHAUSTED: define("CTI_ERR_MEDIA_PORTS_EXHAUSTED", 503, "No free media ports"),
  NO_COMMON_CODEC: define("CTI_ERR_NO_COMMON_CODEC", 488, "No codec in common with the offer"),
  SIP_TRANSPORT: define("CTI_ERR_SIP_TRANSPORT", 503, "SIP transport failure"),
  INTERNAL: define("CTI_ERR_INTERNAL", 500, "Internal error"),
  SIP_CALL_STATE: define("CTI_ERR_SIP_CALL_STATE", 409, "The call is not in a state that allows this"),
  PROMPT_INVALID: define("CTI_ERR_PROMPT_INVALID", 500, "The prompt file cannot be played"),
  MEDIA_NOT_NEGOTIATED: define("CTI_ERR_MEDIA_NOT_NEGOTIATED", 409, "No media session has been negotiated yet"),
  SERVICE_GROUP_UNKNOWN: define("CTI_ERR_SERVICE_GROUP_UNKNOWN", 404, "No such service group"),
  CALL_NOT_FOUND: define("CTI_ERR_CALL_NOT_FOUND", 404, "No such call"),
  SITE_UNKNOWN: define("CTI_ERR_SITE_UNKNOWN", 404, "No such site, or no call manager in it"),
  RECORDING_NO_CONVERSATION: define("CTI_ERR_RECORDING_NO_CONVERSATION", 409, "The agent has no conversation that can be recorded"),
  RECORDING_NOT_ALLOWED: define("CTI_ERR_RECORDING_NOT_ALLOWED", 403, "The recording mode does not allow this"),
  RECORDING_STATE: define("CTI_ERR_RECORDING_STATE", 409, "The recording state does not allow this"),
  CALLER_ID_UNKNOWN: define("CTI_ERR_CALLER_ID_UNKNOWN", 404, "No such custom caller ID"),
  CALLER_ID_NOT_ALLOWED: define("CTI_ERR_CALLER_ID_NOT_ALLOWED", 403, "The agent may not select a caller ID for this call"),
  OBJECT_TAG_NOT_FOUND: define("CTI_ERR_OBJECT_TAG_NOT_FOUND", 404, "No such object tag"),
  OBJECT_TAG_AMBIGUOUS: define("CTI_ERR_OBJECT_TAG_AMBIGUOUS", 409, "Several object tags have this name; name the tag by its id"),
  OBJECT_TAG_EXISTS: define("CTI_ERR_OBJECT_TAG_EXISTS", 409, "The tenant already has an object tag with this name and type"),
  OBJECT_TAG_LIMIT: define("CTI_ERR_OBJECT_TAG_LIMIT", 409, "The tenant already has the most object tags permitted (150)"),
  OBJECT_TAG_NOT_ALLOWED: define("CTI_ERR_OBJECT_TAG_NOT_ALLOWED", 409, "The object tag is not allowed for this object type"),
  OBJECT_TAG_IN_USE: define("CTI_ERR_OBJECT_TAG_IN_USE", 409, "The object tag is assigned to objects of this type; unassign them first"),
  OBJECT_TAG_VALUE_INVALID: define("CTI_ERR_OBJECT_TAG_VALUE_INVALID", 400, "The value does not fit the object tag's type"),
  OBJECT_TAG_ASSIGNMENT_NOT_FOUND: define("CTI_ERR_OBJECT_TAG_ASSIGNMENT_NOT_FOUND", 404, "The object tag is not assigned to this object"),
  TAGGED_OBJECT_UNKNOWN: define("CTI_ERR_TAGGED_OBJECT_UNKNOWN", 404, "No such service access, service group, agent or dialed number"),
  DIALED_NUMBER_EXISTS: define("CTI_ERR_DIALED_NUMBER_EXISTS", 409, "The tenant already has this dialed number"),
  DIALED_NUMBER_INVALID: define("CTI_ERR_DIALED_NUMBER_INVALID", 400, "A dialed number is 1 to 50 characters"),
  DIALED_NUMBER_NOT_FOUND: define("CTI_ERR_DIALED_NUMBER_NOT_FOUND", 404, "No such dialed number"),
  CUSTOMER_AUTH_NOT_CONFIGURED: define("CTI_ERR_CUSTOMER_AUTH_NOT_CONFIGURED", 409, "Customer authentication is not configured"),
  CALL_NOT_IN_CONVERSATION: define("CTI_ERR_CALL_NOT_IN_CONVERSATION", 409, "The call is not in a conversation with an agent"),
  AGENT_NOT_WAITING_FOR_CALLER: define("CTI_ERR_AGENT_NOT_WAITING_FOR_CALLER", 409, "The agent is not waiting for a caller returning from customer authentication"),
  TRANSFER_TARGET_BUSY: define("CTI_ERR_TRANSFER_TARGET_BUSY", 409, "The agent the call is transferred to is not idle"),
  DISPATCH_NOT_ALLOWED: define("CTI_ERR_DISPATCH_NOT_ALLOWED", 403, "The agent may not take this call from the dispatch queue"),
} as const;

export type ErrorName = keyof typeof Errors;

/** An error with a stable code. `detail` says what exactly went wrong; it must never carry a secret. */
export class CtiError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly detail: string | undefined;

  constructor(def: ErrorDefinition, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${def.message}: ${detail}` : def.message, options);
    this.name = "CtiError";
    this.code = def.code;
    this.httpStatus = def.httpStatus;
    this.detail = detail;
  }
}

export function isCtiError(e: unknown, def?: ErrorDefinition): e is CtiError {
  return e instanceof CtiError && (def === undefined || e.code === def.code);
}

export function allErrorDefinitions(): ErrorDefinition[] {
  return [...registry.values()];
}
