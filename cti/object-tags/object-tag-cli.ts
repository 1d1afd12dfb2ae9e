// `ctibridge object-tag …` and `ctibridge dialed-number …`: the Configuration Manager's Object Tags tab, Object Tag
// Assignment dialog and Dialled Numbers dialog as commands. Same options as `ctibridge user …` (--config, --data);
// they work while the daemon runs (the daemon reads tags from the database at each lookup).
import { Command, Option } from "commander";
import type { Config } from "../config/schema.js";
import { CtiError, Errors } from "../errors.js";
import type { Store } from "../store/open-store.js";
import { PromptLibrary } from "../../ivr/media/prompt-library.js";
import { promptExists } from "../../ivr/prompt-exists.js";
import { ObjectTagDirectory, type ObjectTagAssignment } from "./object-tag-directory.js";
import type { ObjectTag } from "./object-tag-repository.js";
import { OBJECT_TAG_TYPES, TAGGABLE_OBJECT_TYPES, isTaggableObjectType, type ObjectTagType, type TaggableObjectType } from "./object-tag-types.js";

export interface CliTools {
  /** Opens the configuration's store (cli.ts). */
  withStore<T>(options: { config?: string; data?: string }, run: (store: Store, config: Config) => Promise<T>): Promise<T>;
  /** Prints the error and exits 1 (cli.ts). */
  fail(error: unknown): never;
  /** Adds --config and --data. */
  storeOptions(cmd: Command): Command;
}

type StoreOpts = { config?: string; data?: string };
type ObjectOpts = StoreOpts & { serviceAccess?: string; serviceGroup?: string; agent?: string; dialedNumber?: string };

const OBJECT_OPTIONS: [keyof ObjectOpts, TaggableObjectType, string][] = [
  ["serviceAccess", "serviceAccess", "--service-access <id>"],
  ["serviceGroup", "serviceGroup", "--service-group <id>"],
  ["agent", "agent", "--agent <logonId>"],
  ["dialedNumber", "dialedNumber", "--dialed-number <number>"],
];

function withObjectOptions(cmd: Command): Command {
  return cmd
    .option("--service-access <id>", "the service access (serviceAccesses[].id)")
    .option("--service-group <id>", "the service group (serviceGroups[].id)")
    .option("--agent <logonId>", "the agent (user logon ID)")
    .option("--dialed-number <number>", "the dialed number (see dialed-number add)");
}

/** Exactly one object option. */
function objectOf(opts: ObjectOpts): { type: TaggableObjectType; object: string } {
  const given = OBJECT_OPTIONS.filter(([key]) => opts[key] !== undefined);
  if (given.length !== 1) {
    throw new CtiError(Errors.BAD_REQUEST, `name exactly one object: ${OBJECT_OPTIONS.map(([, , flag]) => flag).join(", ")}`);
  }
  const [key, type] = given[0]!;
  return { type, object: opts[key]! };
}

/** "serviceGroup,agent" → the list; "none" → []. */
function allowList(text: string | undefined): TaggableObjectType[] {
  if (text === undefined || text === "none" || text === "") return [];
  const parts = text.split(",").map((p) => p.trim()).filter(Boolean);
  const wrong = parts.filter((p) => !isTaggableObjectType(p));
  if (wrong.length > 0) throw new CtiError(Errors.BAD_REQUEST, `--allow takes ${TAGGABLE_OBJECT_TYPES.join(", ")} or none; not ${wrong.join(", ")}`);
  return parts as TaggableObjectType[];
}

function describeTag(tag: ObjectTag): string {
  return [String(tag.id), tag.name, tag.type, tag.allowed.join(",") || "-"].join("\t");
}

function describeAssignment(a: ObjectTagAssignment): string {
  return [a.objectType, a.object ?? `#${a.objectId}`, a.valueName ?? a.value].join("\t");
}

export function addObjectTagCommands(program: Command, tools: CliTools): void {
  const { withStore, fail, storeOptions } = tools;
  const withTags = <T>(opts: StoreOpts, run: (tags: ObjectTagDirectory) => Promise<T>): Promise<T> =>
    withStore(opts, (store, config) => {
      const prompts = new PromptLibrary();
      return run(ObjectTagDirectory.forConfig(store, config, (name) => promptExists(prompts, name, config.system.language)));
    });
  const action =
    <A extends unknown[]>(run: (...args: A) => Promise<string>) =>
    async (...args: A) => {
      try {
        process.stdout.write((await run(...args)) + "\n");
      } catch (e) {
        fail(e);
      }
    };

  const objectTag = program.command("object-tag").description("define object tags and assign them to service accesses, service groups, agents and dialed numbers");

  storeOptions(
    objectTag
      .command("define")
      .description("define an object tag (at most 150 per tenant; name and type unique)")
      .argument("<name>", "the tag's name (up to 100 characters)")
      .addOption(new Option("--type <type>", "what the tag's values are").choices(OBJECT_TAG_TYPES).makeOptionMandatory())
      .option("--allow <types>", `object types it may be assigned to, comma-separated: ${TAGGABLE_OBJECT_TYPES.join(", ")} (default none)`),
  ).action(
    action(async (name: string, opts: StoreOpts & { type: ObjectTagType; allow?: string }) => {
      const tag = await withTags(opts, (tags) => tags.define({ name, type: opts.type, allowed: allowList(opts.allow) }));
      return `defined ${tag.name} (id ${tag.id})`;
    }),
  );

  storeOptions(
    objectTag
      .command("set")
      .description("change the object types a tag may be assigned to (an assigned type cannot be taken away)")
      .argument("<tag>", "the tag's name or id")
      .requiredOption("--allow <types>", `comma-separated: ${TAGGABLE_OBJECT_TYPES.join(", ")}, or none`),
  ).action(
    action(async (ref: string, opts: StoreOpts & { allow: string }) => {
      const tag = await withTags(opts, (tags) => tags.setAllowed(ref, allowList(opts.allow)));
      return `updated ${tag.name}: ${tag.allowed.join(",") || "none"}`;
    }),
  );

  storeOptions(
    withObjectOptions(
      objectTag
        .command("assign")
        .description("assign a tag to one object with a value (assigning again changes the value)")
        .argument("<tag>", "the tag's name or id"),
    ).requiredOption("--value <value>", "a number or text, or the name of the service access, service group, agent, scheduler or prompt"),
  ).action(
    action(async (ref: string, opts: ObjectOpts & { value: string }) => {
      const { type, object } = objectOf(opts);
      await withTags(opts, (tags) => tags.assign(ref, type, object, opts.value));
      return `assigned ${ref} to ${type} ${object}`;
    }),
  );

  storeOptions(
    withObjectOptions(objectTag.command("unassign").description("take a tag off one object").argument("<tag>", "the tag's name or id")),
  ).action(
    action(async (ref: string, opts: ObjectOpts) => {
      const { type, object } = objectOf(opts);
      await withTags(opts, (tags) => tags.unassign(ref, type, object));
      return `unassigned ${ref} from ${type} ${object}`;
    }),
  );

  storeOptions(
    withObjectOptions(
      objectTag
        .command("list")
        .description(
          "list the tenant's tags (id, name, type, allowed object types); one tag's assignments (object type, object, value); " +
            "or, with an object option, the tags enabled for that object with its values (id, name, type, value)",
        )
        .argument("[tag]", "a tag's name or id: list its assignments"),
    ),
  ).action(
    action(async (ref: string | undefined, opts: ObjectOpts) =>
      withTags(opts, async (tags) => {
        if (ref === undefined && OBJECT_OPTIONS.some(([key]) => opts[key] !== undefined)) {
          const { type, object } = objectOf(opts);
          const rows = (await tags.tagsOf(type, object)).map((t) => [String(t.id), t.name, t.type, t.valueName ?? t.value ?? "-"].join("\t"));
          return [["id", "name", "type", "value"].join("\t"), ...rows].join("\n");
        }
        if (ref === undefined) return [["id", "name", "type", "allowed"].join("\t"), ...(await tags.list()).map(describeTag)].join("\n");
        return [["objectType", "object", "value"].join("\t"), ...(await tags.assignments(ref)).map(describeAssignment)].join("\n");
      }),
    ),
  );

  storeOptions(objectTag.command("remove").description("remove a tag and all its assignments").argument("<tag>", "the tag's name or id")).action(
    action(async (ref: string, opts: StoreOpts) => {
      await withTags(opts, (tags) => tags.remove(ref));
      return `removed ${ref}`;
    }),
  );

  const dialedNumber = program.command("dialed-number").description("the tenant's dialed numbers, objects that object tags are assigned to");

  storeOptions(dialedNumber.command("add").description("add a dialed number (any characters, up to 50, unique)").argument("<number>")).action(
    action(async (number: string, opts: StoreOpts) => {
      const added = await withTags(opts, (tags) => tags.addDialedNumber(number));
      return `added ${added.number} (id ${added.id})`;
    }),
  );

  storeOptions(dialedNumber.command("list").description("list the dialed numbers: id and number")).action(
    action(async (opts: StoreOpts) =>
      withTags(opts, async (tags) => [["id", "number"].join("\t"), ...(await tags.dialedNumbers()).map((d) => `${d.id}\t${d.number}`)].join("\n")),
    ),
  );

  storeOptions(dialedNumber.command("remove").description("remove a dialed number and its tag assignments").argument("<number>")).action(
    action(async (number: string, opts: StoreOpts) => {
      await withTags(opts, (tags) => tags.removeDialedNumber({ number }));
      return `removed ${number}`;
    }),
  );
}
