// Runs one script on one call. The engine walks blocks one at a time; only play and collect wait for the caller
// (query and webhook wait for a database or a server, each with its timeout). A call that ends stops the script
// at the next step; a failing action or a runaway loop is a script error that is published (for logs and SNMP)
// and ends the call with the service-unavailable prompt. The call profile the script fills is handed back.
import type { Logger } from "../cti/log.js";
import type { EventBus } from "../cti/events/event-bus.js";
import type { ActionRegistry } from "./actions.js";
import type { BlockRun } from "./blocks/block-run.js";
import { CallProfile } from "./blocks/call-profile.js";
import type { QueryRunner } from "./blocks/data-sources.js";
import { runProfileBlock } from "./blocks/profile-block.js";
import { runQueryBlock } from "./blocks/query-block.js";
import { runWebhookBlock } from "./blocks/webhook-block.js";
import { runObjectTagBlock, type ObjectTagLookup } from "./blocks/object-tag-block.js";
import { runHandOffBlock } from "./blocks/hand-off-blocks.js";
import { HANDED_OFF } from "./call-hand-off.js";
import { conditionHolds } from "./condition.js";
import { DigitBuffer } from "./digit-buffer.js";
import type { CallFacts, IvrChannel } from "./ivr-channel.js";
import type { Block, CollectBlock } from "./script-schema.js";
import type { Script } from "./script-library.js";
import { fillTemplate } from "./template.js";

/** Blocks run in a row without waiting for the caller before the script is considered stuck in a loop. */
const MAX_STEPS_WITHOUT_WAIT = 1000;
const ERROR_PROMPT = "service-unavailable";

/** handedOff: a deflect, divert or queue block handed the call on; the script ended without hanging up. */
export type ScriptOutcome = "disconnected" | "callerHungUp" | "error" | "handedOff";

export interface ScriptRunResult {
  outcome: ScriptOutcome;
  lastBlock: string;
  steps: number;
  /** The call's profile as the script left it (the one passed in, or a new one). */
  profile: CallProfile;
}

export interface ScriptEngineOptions {
  actions: ActionRegistry;
  logger: Logger;
  bus?: EventBus;
  /** The configured data sources, for `query` blocks (a query without them takes its error branch). */
  dataSources?: QueryRunner;
  /** Object tags, for `objectTag` blocks (without them such a block takes its error branch). */
  objectTags?: ObjectTagLookup;
  /** The time for time-of-day conditions (tests set it). */
  clock?: () => Date;
}

export interface ScriptRunOptions {
  /** The call's profile, when the call already has one (it is updated in place); else one is made from the facts. */
  profile?: CallProfile;
}

export class ScriptEngine {
  readonly #options: ScriptEngineOptions;

  constructor(options: ScriptEngineOptions) {
    this.#options = options;
  }

  async run(script: Script, channel: IvrChannel, facts: CallFacts, options: ScriptRunOptions = {}): Promise<ScriptRunResult> {
    const profile = options.profile ?? CallProfile.forCall(facts);
    const run = new ScriptRun(script, channel, facts, profile, this.#options);
    try {
      return await run.execute();
    } finally {
      run.dispose();
    }
  }
}

class ScriptRun {
  readonly #script: Script;
  readonly #channel: IvrChannel;
  readonly #facts: CallFacts;
  readonly #options: ScriptEngineOptions;
  readonly #profile: CallProfile;
  readonly #variables = new Map<string, string>();
  readonly #digits = new DigitBuffer();
  readonly #unsubscribe: (() => void)[] = [];
  #steps = 0;

  constructor(script: Script, channel: IvrChannel, facts: CallFacts, profile: CallProfile, options: ScriptEngineOptions) {
    this.#script = script;
    this.#channel = channel;
    this.#facts = facts;
    this.#profile = profile;
    this.#options = options;
    for (const [name, value] of Object.entries(script.variables)) this.#variables.set(name, value);
    this.#unsubscribe.push(channel.onDigit((d) => this.#digits.push(d)));
    this.#unsubscribe.push(channel.onEnded(() => this.#digits.close()));
  }

  dispose(): void {
    for (const off of this.#unsubscribe) off();
    this.#digits.close();
  }

  async execute(): Promise<ScriptRunResult> {
    let blockId: string | undefined = this.#script.start;
    let sinceWait = 0;
    let current = blockId;
    try {
      while (blockId !== undefined) {
        if (this.#channel.ended) return this.#result("callerHungUp", current);
        current = blockId;
        const block = this.#script.blocks.get(blockId);
        if (!block) throw new Error(`no block named ${blockId}`);
        this.#steps++;
        if (block.type === "play" || block.type === "collect") sinceWait = 0;
        else if (++sinceWait > MAX_STEPS_WITHOUT_WAIT) throw new Error(`more than ${MAX_STEPS_WITHOUT_WAIT} blocks in a row without waiting for the caller (a loop?)`);
        this.#options.logger.debug({ callId: this.#channel.callId, script: this.#script.name, block: blockId, type: block.type }, "ivr block");
        const next = await this.#runBlock(block, blockId);
        if (next === "disconnect") break;
        if (next === HANDED_OFF) return this.#result("handedOff", current);
        blockId = next;
      }
      if (this.#channel.ended) return this.#result("callerHungUp", current);
      await this.#channel.hangup();
      return this.#result("disconnected", current);
    } catch (error) {
      const message = (error as Error).message;
      this.#options.logger.error({ callId: this.#channel.callId, script: this.#script.name, block: current, err: message }, "IVR script error");
      this.#options.bus?.safeEmit("ivr.scriptError", { script: this.#script.name, block: current, callId: this.#channel.callId, message });
      if (!this.#channel.ended) {
        await this.#channel.play([ERROR_PROMPT], { interruptOnDtmf: false }).catch(() => undefined);
        await this.#channel.hangup().catch(() => undefined);
      }
      return this.#result("error", current);
    }
  }

  #result(outcome: ScriptOutcome, lastBlock: string): ScriptRunResult {
    return { outcome, lastBlock, steps: this.#steps, profile: this.#profile };
  }

  /** Variables first, then call facts (${ANI}, settings), then the call profile (${PROFILE_SERVICE}). */
  #lookup = (name: string): string | undefined => this.#variables.get(name) ?? this.#facts[name] ?? this.#profile.fact(name);

  #blockRun(blockId: string): BlockRun {
    return {
      callId: this.#channel.callId,
      script: this.#script.name,
      blockId,
      logger: this.#options.logger,
      lookup: this.#lookup,
      setVariable: (name, value) => void this.#variables.set(name, value),
      profile: this.#profile,
      dataSources: this.#options.dataSources,
      objectTags: this.#options.objectTags,
      handOff: this.#channel.handOff,
    };
  }

  /** Runs a block; returns the next block id, undefined at the end of the script, or "disconnect". */
  async #runBlock(block: Block, blockId: string): Promise<string | undefined> {
    switch (block.type) {
      case "play": {
        await this.#channel.play(block.prompts, { interruptOnDtmf: block.interruptible });
        return block.next;
      }
      case "collect":
        return this.#collect(block);
      case "branch": {
        const context = {
          lookup: this.#lookup,
          fill: (template: string) => fillTemplate(template, this.#lookup),
          now: this.#options.clock ?? (() => new Date()),
        };
        const match = block.cases.find((c) => conditionHolds(c.if, context));
        return match ? match.next : block.else;
      }
      case "assign": {
        for (const [name, value] of Object.entries(block.set)) this.#variables.set(name, fillTemplate(value, this.#lookup));
        for (const name of block.increment) this.#variables.set(name, String((Number(this.#variables.get(name)) || 0) + 1));
        return block.next;
      }
      case "action": {
        const handler = this.#options.actions.get(block.action);
        if (!handler) throw new Error(`unknown action ${block.action}`);
        const args: Record<string, string> = {};
        for (const [name, value] of Object.entries(block.with)) args[name] = fillTemplate(value, this.#lookup);
        const outcome = await handler(args, { facts: this.#facts, script: this.#script.name, profile: this.#profile });
        if (block.into) this.#variables.set(block.into, outcome);
        return block.on[outcome] ?? block.next;
      }
      case "query":
        return runQueryBlock(block, this.#blockRun(blockId));
      case "webhook":
        return runWebhookBlock(block, this.#blockRun(blockId));
      case "profile":
        return runProfileBlock(block, this.#blockRun(blockId));
      case "objectTag":
        return runObjectTagBlock(block, this.#blockRun(blockId));
      case "deflect":
      case "divert":
      case "queue":
        return runHandOffBlock(block, this.#blockRun(blockId));
      case "disconnect":
        return "disconnect";
    }
  }

  async #collect(block: CollectBlock): Promise<string | undefined> {
    for (let attempt = 0; attempt <= block.retries; attempt++) {
      if (this.#channel.ended) return undefined;
      // Keys typed ahead skip the prompt; otherwise the prompt plays and a key stops it.
      if (this.#digits.size === 0 && block.prompts.length > 0) {
        const played = await this.#channel.play(block.prompts, { interruptOnDtmf: true });
        if (played === "closed") return undefined;
      }
      const input = await this.#readDigits(block);
      if (input === undefined) return undefined;
      if (input.length >= block.minDigits) {
        this.#variables.set(block.into, input);
        return block.next;
      }
    }
    this.#variables.set(block.into, "");
    return block.onNoInput ?? "disconnect";
  }

  /** Reads one entry; undefined when the call ended. */
  async #readDigits(block: CollectBlock): Promise<string | undefined> {
    let input = "";
    let timeout = block.firstDigitTimeout;
    while (input.length < block.maxDigits) {
      const digit = await this.#digits.next(timeout);
      if (this.#channel.ended) return undefined;
      if (digit === undefined) break;
      if (block.terminator !== "" && digit === block.terminator) break;
      input += digit;
      timeout = block.interDigitTimeout;
    }
    return input;
  }
}
