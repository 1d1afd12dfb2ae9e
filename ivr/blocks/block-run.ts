// What a block sees of the script run it is part of: the call's variables and facts, its call profile, and the
// services the daemon lends to scripts (data sources, the clock). The engine builds one per block it runs.
import type { Logger } from "../../cti/log.js";
import type { CallProfile } from "./call-profile.js";
import type { QueryRunner } from "./data-sources.js";
import type { ObjectTagLookup } from "./object-tag-block.js";
import type { CallHandOff } from "../call-hand-off.js";

export interface BlockRun {
  readonly callId: string;
  readonly script: string;
  readonly blockId: string;
  readonly logger: Logger;
  /** A variable, else a call fact (${ANI}, ${PROFILE_SERVICE}, …); undefined when neither exists. */
  lookup(name: string): string | undefined;
  setVariable(name: string, value: string): void;
  readonly profile: CallProfile;
  /** Absent when the daemon configured no data sources (tests of other blocks). */
  readonly dataSources: QueryRunner | undefined;
  /** Object tags for `objectTag` blocks; absent where the daemon lent none (tests of other blocks). */
  readonly objectTags?: ObjectTagLookup | undefined;
  /** Handing the call on (deflect, divert, queue); undefined where the call cannot be handed on. */
  readonly handOff?: CallHandOff | undefined;
}

/** How a value from a database row or a JSON document is kept in a (text) script variable. */
export function valueAsText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return JSON.stringify(value);
}
