// `deflect`, `divert` and `queue`: the blocks that hand the call on (ivr/call-hand-off.ts). On success the script
// ends without hanging up; on failure it goes to `failure` (without one, the script ends and the call is cleared).
//
//   return-to-agent:                   # Script Manager's "Deflect with Data" (customer authentication)
//     type: deflect
//     destination: ${PRIVATE_DATA}     # default: the private data, i.e. the reserved agent's extension
//     associatedData: ok:${customerNumber}
//     failure: sorry                   # the agent is no longer reserved (reserve time ran out, logged off, no answer)
//
//   to-reception:
//     type: divert
//     number: "5000"                   # or bvd: "3000"; templates allowed
//     ringTime: 30s                    # numbers only (default 30s)
//     failure: sorry                   # busy, no answer, unknown BVD
//
//   to-sales:
//     type: queue
//     serviceGroup: Sales
//     priority: 5                      # default 0; higher first
//     failure: sorry                   # unknown or closed group
import { z } from "zod";
import { durationMs } from "../../cti/config/duration.js";
import { HANDED_OFF } from "../call-hand-off.js";
import { fillTemplate } from "../template.js";
import type { BlockRun } from "./block-run.js";
import { blockId, templateValue } from "./script-fields.js";

export const DIVERT_DEFAULT_RING_TIME_MS = 30_000;

const identifierOrTemplate = z.string().regex(/^([A-Za-z0-9_.-]|\$\{[A-Za-z_][A-Za-z0-9_]*\}){1,64}$/, "a service group id or a ${variable}");

export const deflectBlockSchema = z
  .object({
    type: z.literal("deflect"),
    destination: templateValue.default("${PRIVATE_DATA}"),
    associatedData: templateValue.default(""),
    failure: blockId.optional(),
  })
  .strict();

export const divertBlockSchema = z
  .object({
    type: z.literal("divert"),
    number: templateValue.optional(),
    bvd: templateValue.optional(),
    ringTime: durationMs.default(DIVERT_DEFAULT_RING_TIME_MS),
    failure: blockId.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.number === undefined) === (b.bvd === undefined)) ctx.addIssue({ code: "custom", path: ["number"], message: "a divert block needs either number or bvd" });
    if (b.ringTime < 1) ctx.addIssue({ code: "custom", path: ["ringTime"], message: "ringTime must be at least 1ms" });
  });

export const queueBlockSchema = z
  .object({
    type: z.literal("queue"),
    serviceGroup: identifierOrTemplate,
    priority: z.number().int().min(0).max(100).default(0),
    failure: blockId.optional(),
  })
  .strict();

export type DeflectBlock = z.output<typeof deflectBlockSchema>;
export type DivertBlock = z.output<typeof divertBlockSchema>;
export type QueueBlock = z.output<typeof queueBlockSchema>;
export type HandOffBlock = DeflectBlock | DivertBlock | QueueBlock;

export function handOffBlockTargets(block: HandOffBlock): [string, string | undefined][] {
  return [["failure", block.failure]];
}

/** Runs a hand-off block: HANDED_OFF, the failure branch, or "disconnect" (failure without a branch). */
export async function runHandOffBlock(block: HandOffBlock, run: BlockRun): Promise<string> {
  const log = run.logger.child({ callId: run.callId, script: run.script, block: run.blockId, type: block.type });
  const handOff = run.handOff;
  let result: "ok" | "failure" = "failure";
  if (!handOff) {
    log.warn("this call cannot be handed on from here; failure branch");
  } else if (block.type === "deflect") {
    const destination = fillTemplate(block.destination, run.lookup);
    result = destination === "" ? "failure" : await handOff.deflect({ destination, associatedData: fillTemplate(block.associatedData, run.lookup), profile: run.profile });
  } else if (block.type === "divert") {
    const number = block.number === undefined ? undefined : fillTemplate(block.number, run.lookup);
    const bvd = block.bvd === undefined ? undefined : fillTemplate(block.bvd, run.lookup);
    result = (number ?? bvd) === "" ? "failure" : await handOff.divert({ ...(number !== undefined ? { number } : {}), ...(bvd !== undefined ? { bvd } : {}), ringTimeMs: block.ringTime, profile: run.profile });
  } else {
    result = await handOff.queue({ serviceGroup: fillTemplate(block.serviceGroup, run.lookup), priority: block.priority, profile: run.profile });
  }
  log.debug({ result }, "hand-off");
  if (result === "ok") return HANDED_OFF;
  return block.failure ?? "disconnect";
}
