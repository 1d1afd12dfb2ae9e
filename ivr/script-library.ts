// Finds, validates and keeps IVR scripts. A script is checked completely at load: its YAML shape, every block,
// every block it names, every action and prompt it uses. Problems come back together with file, line and reason.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SourceInvalidError, YamlSource, type SourceProblem } from "../cti/config/yaml-source.js";
import { blockSchemas, scriptSchema, type Block, type BlockType } from "./script-schema.js";
import { queryBlockTargets } from "./blocks/query-block.js";
import { webhookBlockTargets } from "./blocks/webhook-block.js";
import { objectTagBlockTargets } from "./blocks/object-tag-block.js";
import { handOffBlockTargets } from "./blocks/hand-off-blocks.js";

export const BUILT_IN_SCRIPT_DIR = fileURLToPath(new URL("./scripts/", import.meta.url));

export interface Script {
  readonly name: string;
  readonly file: string;
  readonly description: string | undefined;
  readonly variables: Readonly<Record<string, string>>;
  readonly start: string;
  readonly blocks: ReadonlyMap<string, Block>;
}

export interface ScriptLibraryOptions {
  /** Searched in order; the built-in folder is always searched last. */
  directories: string[];
  /** Names of the actions scripts may call. */
  actionNames: ReadonlySet<string>;
  /** Whether a prompt exists (in the configured language). */
  promptExists: (name: string) => boolean;
  /** Names of the configured data sources `query` blocks may use (none when absent). */
  dataSourceNames?: ReadonlySet<string>;
}

export class ScriptLibrary {
  readonly #options: ScriptLibraryOptions;
  readonly #scripts = new Map<string, Script>();

  constructor(options: ScriptLibraryOptions) {
    this.#options = options;
  }

  get(name: string): Script | undefined {
    return this.#scripts.get(name);
  }

  get names(): string[] {
    return [...this.#scripts.keys()];
  }

  /** Loads every named script, replacing what was loaded before only if all of them are valid. */
  loadAll(names: Iterable<string>): void {
    const loaded = new Map<string, Script>();
    const problems: SourceProblem[] = [];
    for (const name of new Set(names)) {
      try {
        loaded.set(name, this.loadOne(name));
      } catch (e) {
        if (e instanceof SourceInvalidError) problems.push(...e.problems);
        else throw e;
      }
    }
    if (problems.length > 0) throw new SourceInvalidError(problems);
    for (const [name, script] of loaded) this.#scripts.set(name, script);
  }

  /** Where a script of this name is read from, or undefined. */
  fileFor(name: string): string | undefined {
    for (const dir of [...this.#options.directories, BUILT_IN_SCRIPT_DIR]) {
      const file = join(dir, `${name}.yaml`);
      if (existsSync(file)) return file;
    }
    return undefined;
  }

  loadOne(name: string): Script {
    const file = this.fileFor(name);
    if (!file) {
      const searched = [...this.#options.directories, BUILT_IN_SCRIPT_DIR].join(", ");
      throw new SourceInvalidError([{ file: `${name}.yaml`, line: 0, column: 0, reason: `script "${name}" not found in ${searched}` }]);
    }
    const source = YamlSource.fromFile(file);
    const script = parseScript(source, this.#options);
    if (script.name !== name) {
      throw new SourceInvalidError([source.problemAt(["script"], `the script is named "${script.name}" but its file is ${name}.yaml`)]);
    }
    return script;
  }
}

/** Validates one parsed script file. Exported for tests of the language itself. */
export function parseScript(source: YamlSource, options: Pick<ScriptLibraryOptions, "actionNames" | "promptExists" | "dataSourceNames">): Script {
  const raw = source.validate(scriptSchema);
  const problems: SourceProblem[] = [];
  const blocks = new Map<string, Block>();
  for (const [id, value] of Object.entries(raw.blocks)) {
    const type = (value as { type?: unknown } | null)?.type;
    if (typeof type !== "string" || !(type in blockSchemas)) {
      problems.push(source.problemAt(["blocks", id], `block "${id}" needs a type: one of ${Object.keys(blockSchemas).join(", ")}`));
      continue;
    }
    try {
      const schema = blockSchemas[type as BlockType] as unknown as import("zod").ZodType<Block, import("zod").ZodTypeDef, unknown>;
      blocks.set(id, source.validateAt(["blocks", id], value, schema));
    } catch (e) {
      if (e instanceof SourceInvalidError) problems.push(...e.problems);
      else throw e;
    }
  }
  const refer = (path: (string | number)[], target: string | undefined) => {
    if (target !== undefined && !blocks.has(target) && raw.blocks[target] === undefined) {
      problems.push(source.problemAt(path, `no block named "${target}"`));
    }
  };
  refer(["start"], raw.start);
  for (const [id, block] of blocks) {
    const at = (...rest: (string | number)[]) => ["blocks", id, ...rest];
    switch (block.type) {
      case "play":
      case "collect":
        block.prompts.forEach((p, i) => {
          if (!options.promptExists(p)) problems.push(source.problemAt(at("prompts", i), `no prompt named "${p}"`));
        });
        refer(at("next"), block.next);
        if (block.type === "collect") refer(at("onNoInput"), block.onNoInput);
        break;
      case "branch":
        block.cases.forEach((c, i) => refer(at("cases", i, "next"), c.next));
        refer(at("else"), block.else);
        break;
      case "assign":
        refer(at("next"), block.next);
        break;
      case "action":
        if (!options.actionNames.has(block.action)) {
          problems.push(source.problemAt(at("action"), `unknown action "${block.action}" (known: ${[...options.actionNames].sort().join(", ")})`));
        }
        for (const [outcome, target] of Object.entries(block.on)) refer(at("on", outcome), target);
        refer(at("next"), block.next);
        break;
      case "query": {
        const known = options.dataSourceNames ?? new Set<string>();
        if (!known.has(block.dataSource)) {
          problems.push(source.problemAt(at("dataSource"), `unknown data source "${block.dataSource}" (configured: ${[...known].sort().join(", ") || "none"})`));
        }
        for (const [key, target] of queryBlockTargets(block)) refer(at(key), target);
        break;
      }
      case "webhook":
        for (const [key, target] of webhookBlockTargets(block)) refer(at(key), target);
        break;
      case "profile":
        refer(at("next"), block.next);
        break;
      case "objectTag":
        for (const [key, target] of objectTagBlockTargets(block)) refer(at(key), target);
        break;
      case "deflect":
      case "divert":
      case "queue":
        for (const [key, target] of handOffBlockTargets(block)) refer(at(key), target);
        break;
      case "disconnect":
        break;
    }
  }
  if (problems.length > 0) throw new SourceInvalidError(problems);
  return { name: raw.script, file: source.file, description: raw.description, variables: raw.variables, start: raw.start, blocks };
}
