// `objectTag`: reads the value of an object tag ("OBJECT TAGS": "used to query information about objects, such as
// through Script Manager scripts") for the call's service access, service group, agent or dialed number, into a
// script variable (and optionally a call profile field); the script goes on at `found` or `notFound`.
//
//   backup-group:
//     type: objectTag
//     tag: Backup group            # the tag's name
//     tagType: serviceGroup        # only when two tags share the name (one per type)
//     objectType: serviceGroup     # serviceAccess | serviceGroup | agent | dialedNumber
//     object: ${SERVICE_GROUP}     # default per objectType: ${SERVICE_ACCESS}, ${SERVICE_GROUP},
//                                  #   ${PROFILE_AGENT_NUMBER} (the agent's logon ID), ${DNIS} (the dialed number)
//     into: backupGroup            # service access / service group / agent tags give the object's id / logon ID
//     intoProfile: Service         # optional call profile field
//     found: queue-backup
//     notFound: queue-main
//     error: sorry                 # the database cannot be read; without it the error ends the script
import { z } from "zod";
import { OBJECT_TAG_TYPES, TAGGABLE_OBJECT_TYPES, type ObjectTagType, type TaggableObjectType } from "../../cti/object-tags/object-tag-types.js";
import { fillTemplate } from "../template.js";
import type { BlockRun } from "./block-run.js";
import { profileFieldKey } from "./profile-block.js";
import { blockId, templateValue, variableName } from "./script-fields.js";

/** What the engine needs to read tags (cti/object-tags/object-tag-directory.ts). */
export interface ObjectTagLookup {
  /** The value of tag `name` for the object, or undefined when the object does not carry it. */
  lookup(name: string, objectType: TaggableObjectType, object: string, tagType?: ObjectTagType): Promise<string | undefined>;
}

/** The call fact each object type is taken from when the block names no object. */
export const DEFAULT_OBJECT: Readonly<Record<TaggableObjectType, string>> = {
  serviceAccess: "${SERVICE_ACCESS}",
  serviceGroup: "${SERVICE_GROUP}",
  agent: "${PROFILE_AGENT_NUMBER}",
  dialedNumber: "${DNIS}",
};

export const objectTagBlockSchema = z
  .object({
    type: z.literal("objectTag"),
    tag: z.string().min(1).max(100),
    tagType: z.enum(OBJECT_TAG_TYPES).optional(),
    objectType: z.enum(TAGGABLE_OBJECT_TYPES),
    /** The object's name (template); default DEFAULT_OBJECT[objectType]. */
    object: templateValue.optional(),
    into: variableName,
    intoProfile: profileFieldKey.optional(),
    found: blockId.optional(),
    notFound: blockId.optional(),
    error: blockId.optional(),
    next: blockId.optional(),
  })
  .strict();

export type ObjectTagBlock = z.output<typeof objectTagBlockSchema>;

/** Block ids an objectTag block may go to, with where each is written (for the load-time reference check). */
export function objectTagBlockTargets(block: ObjectTagBlock): [string, string | undefined][] {
  return [["found", block.found], ["notFound", block.notFound], ["error", block.error], ["next", block.next]];
}

export async function runObjectTagBlock(block: ObjectTagBlock, run: BlockRun): Promise<string | undefined> {
  const object = fillTemplate(block.object ?? DEFAULT_OBJECT[block.objectType], run.lookup);
  const log = run.logger.child({ callId: run.callId, script: run.script, block: run.blockId, tag: block.tag, objectType: block.objectType });
  let value: string | undefined;
  try {
    if (!run.objectTags) throw new Error("object tags are not available to scripts here");
    value = await run.objectTags.lookup(block.tag, block.objectType, object, block.tagType);
  } catch (e) {
    const message = (e as Error).message;
    log.warn({ err: message }, "object tag lookup failed");
    run.setVariable(block.into, "");
    if (block.error !== undefined) return block.error;
    throw new Error(`object tag ${block.tag} lookup failed: ${message}`);
  }
  run.setVariable(block.into, value ?? "");
  if (block.intoProfile && value !== undefined) run.profile.set(block.intoProfile, value);
  log.debug({ object, found: value !== undefined }, "object tag read");
  return value !== undefined ? (block.found ?? block.next) : (block.notFound ?? block.next);
}
