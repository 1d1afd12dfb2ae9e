// The call profile (seed 003, "Using Call Profiles"): information attached to a call that routes it and records its
// history, updated as the call moves through the system, by the caller's input and by database lookups in scripts.
// The fields are the manual's mandatory fields, by their case-sensitive Call Profile Names (Table 1); the TAPI call
// property of each is the name prefixed with _STCC_.
//
// Scripts read a field as ${PROFILE_<NAME>} (upper case, spaces as '_': "Customer Number" → PROFILE_CUSTOMER_NUMBER)
// and as %Customer Number% in a query's SQL; they set fields with the `profile` block.

/** Table 1, "Call Profile Mandatory Fields", in the manual's order. */
export const CALL_PROFILE_FIELDS = [
  "ANI",
  "Agent Queue",
  "Group",
  "Trunk",
  "Call ID",
  "Caller Name",
  "DNIS",
  "DNIS Name",
  "Call Type",
  "Media",
  "Priority",
  "Service",
  "Customer Number",
  "Customer Name",
  "ACD Enter Date",
  "ACD Enter Time",
  "Queue Position",
  "Average Queue Time",
  "Call Back Time",
  "Call Back Date",
  "Call Back Destination",
  "Language",
  "Agent Extension",
  "Agent Number",
  "Dial List ID",
  "Start Queue Time",
  "Execute Req",
  "Trunk Number",
  "Email To",
  "Email CC",
  "Email Subject",
  "Email From",
  "Email Sent Date",
  "Email Sent Time",
  "Email Enter OMS Date",
  "Email Enter OMS Time",
  "Primary Call Back Destination",
  "Alternative Call Back Destination 1",
  "Alternative Call Back Destination 2",
  "Last Time To Initiate Callback",
  "Alternative Call ID",
  "Outbound Caller ID",
  "SW Call GUID",
] as const;

export type CallProfileField = (typeof CALL_PROFILE_FIELDS)[number];

/** Fields the bridge keeps itself: a script cannot set them (the call's identity in events and records). */
export const READ_ONLY_PROFILE_FIELDS: ReadonlySet<CallProfileField> = new Set(["Call ID"]);

const FIELD_SET: ReadonlySet<string> = new Set(CALL_PROFILE_FIELDS);

export function isCallProfileField(name: string): name is CallProfileField {
  return FIELD_SET.has(name);
}

/** The script fact a field is read as: "Customer Number" → PROFILE_CUSTOMER_NUMBER. */
export function profileFactName(field: CallProfileField): string {
  return `PROFILE_${field.toUpperCase().replace(/ /g, "_")}`;
}

/** The TAPI call property name of a field, as Table 1 lists it: _STCC_ and the name (Call Type's is _STCC_Type). */
export function tapiPropertyName(field: CallProfileField): string {
  return field === "Call Type" ? "_STCC_Type" : `_STCC_${field}`;
}

const FIELD_BY_FACT: ReadonlyMap<string, CallProfileField> = new Map(CALL_PROFILE_FIELDS.map((f) => [profileFactName(f), f]));

/** "customer number" → "Customer Number": for a helpful load error, since names are case-sensitive. */
export function closestProfileField(name: string): CallProfileField | undefined {
  const folded = name.trim().toLowerCase().replace(/[\s_]+/g, " ");
  return CALL_PROFILE_FIELDS.find((f) => f.toLowerCase() === folded);
}

/** What the bridge knows when a call arrives; the rest of the profile starts empty. */
export interface CallProfileOrigin {
  ANI: string;
  DNIS: string;
  CALL_ID: string;
  /** The caller's display name, when the INVITE carries one. */
  CALLER_NAME?: string;
}

/**
 * One call's profile. It travels with the call: the code that owns the call creates it (or lets the script engine
 * create it) and reads it after the script to put it on the agent's INVITE and into events.
 */
export class CallProfile {
  readonly #values = new Map<CallProfileField, string>();

  constructor(initial: Partial<Record<CallProfileField, string>> = {}) {
    for (const [field, value] of Object.entries(initial)) {
      if (value !== undefined && isCallProfileField(field)) this.#values.set(field, value);
    }
  }

  /** A voice call's profile with the fields known on arrival. */
  static forCall(origin: CallProfileOrigin): CallProfile {
    return new CallProfile({
      ANI: origin.ANI,
      DNIS: origin.DNIS,
      "Call ID": origin.CALL_ID,
      "Caller Name": origin.CALLER_NAME,
      "Call Type": "Voice",
      Media: "VOICE",
    });
  }

  get(field: CallProfileField): string | undefined {
    return this.#values.get(field);
  }

  /** Sets a field; "" clears it. */
  set(field: CallProfileField, value: string): void {
    if (value === "") this.#values.delete(field);
    else this.#values.set(field, value);
  }

  /** The value behind a script fact name such as PROFILE_CUSTOMER_NUMBER ("" for a known but empty field). */
  fact(name: string): string | undefined {
    const field = FIELD_BY_FACT.get(name);
    return field === undefined ? undefined : (this.#values.get(field) ?? "");
  }

  /** The fields that have a value, in the manual's order. */
  entries(): [CallProfileField, string][] {
    return CALL_PROFILE_FIELDS.filter((f) => this.#values.has(f)).map((f) => [f, this.#values.get(f)!]);
  }

  /** { "Customer Number": "4711", … }: for events and the Open Interface. */
  toJSON(): Partial<Record<CallProfileField, string>> {
    return Object.fromEntries(this.entries());
  }
}
