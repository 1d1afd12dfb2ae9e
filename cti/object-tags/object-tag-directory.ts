// Object tags by the names administrators and scripts use: tags by name (or id), objects by their configured id
// (service groups, service accesses), logon ID (agents) or number (dialed numbers). Checks what the manual's
// Object Tag Assignment dialog checks: the object exists, the tag allows its type, and the value fits the tag's type
// (a service group value must name a configured group, an agent value a user, …). The CLI, the Open Interface and
// the IVR `objectTag` block all go through here.
import type { Config } from "../config/schema.js";
import { CtiError, Errors, isCtiError } from "../errors.js";
import type { User } from "../store/user-repository.js";
import type { DialedNumber } from "./dialed-number-repository.js";
import type { ObjectTag, NewObjectTag } from "./object-tag-repository.js";
import type { ObjectTagStore } from "./object-tag-store.js";
import { MAX_TAG_VALUE, type ObjectTagType, type TaggableObjectType } from "./object-tag-types.js";

/** What of the configuration tags can refer to. */
export interface TaggableConfig {
  tenantId: number;
  serviceGroups: readonly { id: string; name?: string | undefined }[];
  serviceAccesses: readonly { id: string; name?: string | undefined }[];
  /** Whether a prompt exists, for play message values; without it any prompt name is taken. */
  promptExists?: (name: string) => boolean;
}

/** The directory of users (store.users): agents are tagged, and named by agent tags, by logon ID. */
export interface TaggableUsers {
  get(tenantId: number, logonId: string): Promise<User | undefined>;
  getById(id: number): Promise<User | undefined>;
}

/** One object carrying a tag. */
export interface ObjectTagAssignment {
  objectType: TaggableObjectType;
  /** The object by name: service group / service access id, agent logon ID, dialed number. Absent when it is gone. */
  object?: string;
  /** object_tag_mapping.object_id. */
  objectId: number;
  /** object_tag_mapping.object_tag_value: the number or text, or the id of the object the value names. */
  value: string;
  /** For tags whose values are objects (service access, service group, agent): that object's name, when it exists. */
  valueName?: string;
}

/** A tag enabled for an object's type, with the object's value when it carries the tag (the object's Object Tag page). */
export interface ObjectTagOfObject extends ObjectTag {
  value?: string;
  valueName?: string;
}

export interface ObjectTagWithAssignments extends ObjectTag {
  assignments: ObjectTagAssignment[];
}

const PROMPT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export class ObjectTagDirectory {
  readonly #store: ObjectTagStore;
  readonly #users: TaggableUsers;
  readonly #config: TaggableConfig;
  readonly #tenantId: number;

  constructor(store: ObjectTagStore, users: TaggableUsers, config: TaggableConfig) {
    this.#store = store;
    this.#users = users;
    this.#config = config;
    this.#tenantId = config.tenantId;
  }

  static forConfig(store: { objectTags: ObjectTagStore; users: TaggableUsers }, config: Config, promptExists?: (name: string) => boolean): ObjectTagDirectory {
    return new ObjectTagDirectory(store.objectTags, store.users, {
      tenantId: config.system.tenantId,
      serviceGroups: config.serviceGroups,
      serviceAccesses: config.serviceAccesses,
      ...(promptExists ? { promptExists } : {}),
    });
  }

  list(): Promise<ObjectTag[]> {
    return this.#store.tags.list(this.#tenantId);
  }

  define(input: NewObjectTag): Promise<ObjectTag> {
    return this.#store.tags.define(this.#tenantId, input);
  }

  /**
   * A tag by id ("17") or by name. A name two tags share (different types) must be given with its type or by id:
   * OBJECT_TAG_AMBIGUOUS. OBJECT_TAG_NOT_FOUND.
   */
  async tag(ref: string | number, type?: ObjectTagType): Promise<ObjectTag> {
    const text = String(ref);
    if (/^\d+$/.test(text)) {
      const byId = await this.#store.tags.get(this.#tenantId, Number(text));
      if (byId && (type === undefined || byId.type === type)) return byId;
    }
    const byName = (await this.#store.tags.findByName(this.#tenantId, text)).filter((t) => type === undefined || t.type === type);
    if (byName.length === 0) throw new CtiError(Errors.OBJECT_TAG_NOT_FOUND, type ? `${text} (${type})` : text);
    if (byName.length > 1) {
      throw new CtiError(Errors.OBJECT_TAG_AMBIGUOUS, `${text}: ${byName.map((t) => `id ${t.id} (${t.type})`).join(", ")}`);
    }
    return byName[0]!;
  }

  async withAssignments(ref: string | number): Promise<ObjectTagWithAssignments> {
    const tag = await this.tag(ref);
    return { ...tag, assignments: await this.assignments(tag) };
  }

  async setAllowed(ref: string | number, allowed: readonly TaggableObjectType[]): Promise<ObjectTag> {
    const tag = await this.tag(ref);
    return this.#store.tags.setAllowed(this.#tenantId, tag.id, allowed);
  }

  async remove(ref: string | number): Promise<void> {
    const tag = await this.tag(ref);
    await this.#store.tags.remove(this.#tenantId, tag.id);
  }

  /**
   * Assigns a tag to an object with a value (or changes the value). TAGGED_OBJECT_UNKNOWN, OBJECT_TAG_NOT_ALLOWED,
   * OBJECT_TAG_VALUE_INVALID, OBJECT_TAG_NOT_FOUND, OBJECT_TAG_AMBIGUOUS.
   */
  async assign(ref: string | number, objectType: TaggableObjectType, object: string, value: string): Promise<ObjectTagAssignment> {
    const tag = await this.tag(ref);
    // Checked here too, so "not allowed" is reported before "no such object" (the dialog disables the type).
    if (!tag.allowed.includes(objectType)) {
      throw new CtiError(Errors.OBJECT_TAG_NOT_ALLOWED, `${tag.name} allows ${tag.allowed.join(", ") || "no object type"}, not ${objectType}`);
    }
    const objectId = await this.#objectId(objectType, object, true);
    const stored = await this.#storedValue(tag.type, value);
    await this.#store.tags.assign(this.#tenantId, tag.id, objectType, objectId, stored.value);
    return { objectType, object, objectId, value: stored.value, ...(stored.name !== undefined ? { valueName: stored.name } : {}) };
  }

  /** OBJECT_TAG_ASSIGNMENT_NOT_FOUND (also when the object does not exist), OBJECT_TAG_NOT_FOUND. */
  async unassign(ref: string | number, objectType: TaggableObjectType, object: string): Promise<void> {
    const tag = await this.tag(ref);
    const objectId = await this.#objectIdIfKnown(objectType, object);
    if (objectId === undefined) throw new CtiError(Errors.OBJECT_TAG_ASSIGNMENT_NOT_FOUND, `${tag.name} on ${objectType} ${object}`);
    await this.#store.tags.unassign(this.#tenantId, tag.id, objectType, objectId);
  }

  async assignments(tagOrRef: ObjectTag | string | number): Promise<ObjectTagAssignment[]> {
    const tag = typeof tagOrRef === "object" ? tagOrRef : await this.tag(tagOrRef);
    const out: ObjectTagAssignment[] = [];
    for (const m of await this.#store.tags.mappings(tag.id)) {
      const object = await this.#objectName(m.objectType, m.objectId);
      const valueName = await this.#valueName(tag.type, m.value);
      out.push({
        objectType: m.objectType,
        ...(object !== undefined ? { object } : {}),
        objectId: m.objectId,
        value: m.value,
        ...(valueName !== undefined ? { valueName } : {}),
      });
    }
    return out;
  }

  /**
   * What a script reads: the value of tag `name` for one object, as a name (a service group's id, an agent's logon
   * ID) for tags whose values are objects. undefined when the object does not carry the tag, or the object it names
   * is gone.
   */
  async lookup(name: string, objectType: TaggableObjectType, object: string, type?: ObjectTagType): Promise<string | undefined> {
    if (object === "") return undefined;
    const objectId = await this.#objectIdIfKnown(objectType, object);
    if (objectId === undefined) return undefined;
    const found = await this.#store.tags.valueFor(this.#tenantId, name, objectType, objectId, type);
    if (!found) return undefined;
    if (!isObjectValued(found.type)) return found.value;
    return this.#valueName(found.type, found.value);
  }

  /**
   * The object's Object Tag page: every tag enabled for its type, with the object's value where it has one.
   * TAGGED_OBJECT_UNKNOWN when the object does not exist.
   */
  async tagsOf(objectType: TaggableObjectType, object: string): Promise<ObjectTagOfObject[]> {
    const objectId = await this.#objectIdIfKnown(objectType, object);
    // A configured group or access no tag has referred to yet has no row: it exists and carries no tag.
    const configuredOnly = (objectType === "serviceGroup" || objectType === "serviceAccess") && this.#configured(objectType, object) !== undefined;
    if (objectId === undefined && !configuredOnly) throw new CtiError(Errors.TAGGED_OBJECT_UNKNOWN, `${objectType} "${object}"`);
    const values = objectId === undefined ? new Map<number, string>() : await this.#store.tags.valuesOf(this.#tenantId, objectType, objectId);
    const out: ObjectTagOfObject[] = [];
    for (const tag of await this.list()) {
      if (!tag.allowed.includes(objectType)) continue;
      const value = values.get(tag.id);
      const valueName = value === undefined ? undefined : await this.#valueName(tag.type, value);
      out.push({ ...tag, ...(value !== undefined ? { value } : {}), ...(valueName !== undefined ? { valueName } : {}) });
    }
    return out;
  }

  dialedNumbers(): Promise<DialedNumber[]> {
    return this.#store.dialedNumbers.list(this.#tenantId);
  }

  addDialedNumber(number: string): Promise<DialedNumber> {
    return this.#store.dialedNumbers.add(this.#tenantId, number);
  }

  /** By id, or by the number itself. DIALED_NUMBER_NOT_FOUND. */
  async removeDialedNumber(ref: { id: number } | { number: string }): Promise<void> {
    let id: number | undefined;
    if ("id" in ref) id = ref.id;
    else id = (await this.#store.dialedNumbers.get(this.#tenantId, ref.number))?.id;
    if (id === undefined) throw new CtiError(Errors.DIALED_NUMBER_NOT_FOUND, "number" in ref ? ref.number : `id ${ref.id}`);
    await this.#store.dialedNumbers.remove(this.#tenantId, id);
  }

  /** The object's id; `create` gives a configured service group or access its row on first use. TAGGED_OBJECT_UNKNOWN. */
  async #objectId(objectType: TaggableObjectType, object: string, create: boolean): Promise<number> {
    const unknown = (why: string) => new CtiError(Errors.TAGGED_OBJECT_UNKNOWN, `${objectType} "${object}": ${why}`);
    switch (objectType) {
      case "serviceGroup":
      case "serviceAccess": {
        const configured = this.#configured(objectType, object);
        if (!configured) throw unknown("not in the configuration");
        const repo = this.#store.configuredObjects;
        const id = create ? await repo.ensureId(objectType, this.#tenantId, object, configured.name ?? null) : await repo.idOf(objectType, this.#tenantId, object);
        if (id === undefined) throw unknown("no tag refers to it yet");
        return id;
      }
      case "agent": {
        const user = await this.#users.get(this.#tenantId, object);
        if (!user) throw unknown("no user with this logon ID");
        return user.id;
      }
      case "dialedNumber": {
        const dn = await this.#store.dialedNumbers.get(this.#tenantId, object);
        if (!dn) throw unknown("not a dialed number of the tenant (add it with dialed-number add)");
        return dn.id;
      }
      default:
        throw new CtiError(Errors.BAD_REQUEST, `unknown object type ${String(objectType)}`);
    }
  }

  /** The object's id, or undefined when there is no such object (other failures, e.g. the database, throw). */
  async #objectIdIfKnown(objectType: TaggableObjectType, object: string): Promise<number | undefined> {
    try {
      return await this.#objectId(objectType, object, false);
    } catch (e) {
      if (isCtiError(e, Errors.TAGGED_OBJECT_UNKNOWN)) return undefined;
      throw e;
    }
  }

  async #objectName(objectType: TaggableObjectType, id: number): Promise<string | undefined> {
    switch (objectType) {
      case "serviceGroup":
      case "serviceAccess":
        return this.#store.configuredObjects.configIdOf(objectType, this.#tenantId, id);
      case "agent":
        return (await this.#users.getById(id))?.logonId;
      case "dialedNumber":
        return (await this.#store.dialedNumbers.getById(this.#tenantId, id))?.number;
    }
  }

  #configured(objectType: "serviceGroup" | "serviceAccess", id: string) {
    const list = objectType === "serviceGroup" ? this.#config.serviceGroups : this.#config.serviceAccesses;
    return list.find((o) => o.id === id);
  }

  /** The object_tag_value to store for a value given by name, and that name. OBJECT_TAG_VALUE_INVALID. */
  async #storedValue(type: ObjectTagType, value: string): Promise<{ value: string; name?: string }> {
    const invalid = (why: string) => new CtiError(Errors.OBJECT_TAG_VALUE_INVALID, `"${String(value).slice(0, MAX_TAG_VALUE)}": ${why}`);
    if (typeof value !== "string" || value === "") throw invalid("a value is needed");
    switch (type) {
      case "serviceGroup":
      case "serviceAccess": {
        const configured = this.#configured(type, value);
        if (!configured) throw invalid(`no ${type === "serviceGroup" ? "service group" : "service access"} with this id is configured`);
        const id = await this.#store.configuredObjects.ensureId(type, this.#tenantId, value, configured.name ?? null);
        return { value: String(id), name: value };
      }
      case "agent": {
        const user = await this.#users.get(this.#tenantId, value);
        if (!user) throw invalid("no user with this logon ID");
        return { value: String(user.id), name: value };
      }
      case "playMessage":
        if (!PROMPT_NAME.test(value) || (this.#config.promptExists && !this.#config.promptExists(value))) throw invalid("no prompt with this name");
        return { value };
      default:
        // number, text, scheduler: stored as given (the repository checks length and number format).
        return { value };
    }
  }

  async #valueName(type: ObjectTagType, stored: string): Promise<string | undefined> {
    if (!isObjectValued(type) || !/^\d+$/.test(stored)) return undefined;
    const id = Number(stored);
    if (type === "agent") return (await this.#users.getById(id))?.logonId;
    return this.#store.configuredObjects.configIdOf(type as "serviceGroup" | "serviceAccess", this.#tenantId, id);
  }
}

/** Tags whose values are objects of the bridge, stored by id. */
function isObjectValued(type: ObjectTagType): type is "serviceGroup" | "serviceAccess" | "agent" {
  return type === "serviceGroup" || type === "serviceAccess" || type === "agent";
}
