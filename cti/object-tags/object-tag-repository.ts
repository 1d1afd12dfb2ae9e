// Object tags and their assignments (object_tag, object_tag_mapping), with the manual's rules: at most 150 tags per
// tenant, name and type unique per tenant, an object type can only be assigned when the tag allows it, and an
// allowed object type cannot be un-allowed while objects of that type carry the tag. Objects here are row ids;
// cti/object-tags/object-tag-directory.ts turns names from the configuration and the directory into them.
import type { Selectable } from "kysely";
import { CtiError, Errors } from "../errors.js";
import type { Logger } from "../log.js";
import { flag, toFlag } from "../store/column-values.js";
import { isUniqueViolation } from "../store/constraint-violations.js";
import { objectTagMappingQueries, objectTagQueries } from "./object-tag-queries.js";
import type { ObjectTagDb, ObjectTagTable } from "./object-tag-tables.js";
import {
  MAX_OBJECT_TAGS_PER_TENANT,
  MAX_TAG_NAME,
  MAX_TAG_VALUE,
  OBJECT_TYPE_CODES,
  TAGGABLE_OBJECT_TYPES,
  isObjectTagType,
  isTaggableObjectType,
  objectTypeFromCode,
  tagTypeCode,
  tagTypeFromCode,
  type ObjectTagType,
  type TaggableObjectType,
} from "./object-tag-types.js";

export interface ObjectTag {
  id: number;
  tenantId: number;
  name: string;
  type: ObjectTagType;
  /** The object types the tag may be assigned to ("Allow Object Tag for"), in TAGGABLE_OBJECT_TYPES order. */
  allowed: TaggableObjectType[];
}

export interface NewObjectTag {
  name: string;
  type: ObjectTagType;
  allowed: readonly TaggableObjectType[];
}

/** One object_tag_mapping row. */
export interface ObjectTagMapping {
  tagId: number;
  objectType: TaggableObjectType;
  objectId: number;
  /** The stored value: the number or text, or the id of the object the value names. */
  value: string;
}

type TagRow = Pick<Selectable<ObjectTagTable>, "id" | "name" | "type" | "tenant_id" | "sa_enabled" | "sg_enabled" | "agent_enabled" | "dialednumber_enabled">;

function toTag(row: TagRow): ObjectTag {
  const enabled: Record<TaggableObjectType, boolean> = {
    serviceAccess: toFlag(row.sa_enabled),
    serviceGroup: toFlag(row.sg_enabled),
    agent: toFlag(row.agent_enabled),
    dialedNumber: toFlag(row.dialednumber_enabled),
  };
  return {
    id: Number(row.id),
    tenantId: Number(row.tenant_id),
    name: row.name,
    // A row inserted by hand with a type no tag has reads as text: its value is shown as stored.
    type: tagTypeFromCode(row.type) ?? "text",
    allowed: TAGGABLE_OBJECT_TYPES.filter((t) => enabled[t]),
  };
}

function allowFlags(allowed: readonly TaggableObjectType[]) {
  return {
    sa: flag(allowed.includes("serviceAccess")),
    sg: flag(allowed.includes("serviceGroup")),
    agent: flag(allowed.includes("agent")),
    dialedNumber: flag(allowed.includes("dialedNumber")),
  };
}

function checkName(name: string): void {
  if (typeof name !== "string" || name.trim() === "" || name.trim() !== name || name.length > MAX_TAG_NAME) {
    throw new CtiError(Errors.BAD_REQUEST, `an object tag name must be 1-${MAX_TAG_NAME} characters without surrounding spaces`);
  }
}

function checkAllowed(allowed: readonly unknown[]): void {
  const wrong = allowed.filter((a) => !isTaggableObjectType(a));
  if (wrong.length > 0) throw new CtiError(Errors.BAD_REQUEST, `unknown object type ${wrong.join(", ")} (known: ${TAGGABLE_OBJECT_TYPES.join(", ")})`);
}

const NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** Checks a value as the object_tag_value column and a number or text tag need it (object tags are checked by the directory). */
export function checkStoredValue(type: ObjectTagType, value: string): void {
  if (typeof value !== "string" || value === "" || value.length > MAX_TAG_VALUE) {
    throw new CtiError(Errors.OBJECT_TAG_VALUE_INVALID, `a value is 1-${MAX_TAG_VALUE} characters`);
  }
  if (type === "number" && !NUMBER.test(value)) throw new CtiError(Errors.OBJECT_TAG_VALUE_INVALID, `"${value}" is not a number`);
}

export class ObjectTagRepository {
  readonly #db: ObjectTagDb;
  readonly #logger: Logger;

  constructor(db: ObjectTagDb, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
  }

  /** OBJECT_TAG_EXISTS (same name and type), OBJECT_TAG_LIMIT (150 per tenant), BAD_REQUEST. */
  async define(tenantId: number, input: NewObjectTag): Promise<ObjectTag> {
    checkName(input.name);
    if (!isObjectTagType(input.type)) throw new CtiError(Errors.BAD_REQUEST, `unknown object tag type ${String(input.type)}`);
    checkAllowed(input.allowed);
    try {
      const row = await this.#db.transaction().execute(async (tx) => {
        const { tags } = await objectTagQueries.countByTenant(tx, tenantId).executeTakeFirstOrThrow();
        if (Number(tags) >= MAX_OBJECT_TAGS_PER_TENANT) {
          throw new CtiError(Errors.OBJECT_TAG_LIMIT, `tenant ${tenantId} has ${Number(tags)} object tags`);
        }
        const type = tagTypeCode(input.type);
        await objectTagQueries.insert(tx, { tenantId, name: input.name, type, ...allowFlags(input.allowed) }).execute();
        // Read back by the unique key rather than RETURNING/OUTPUT, which differ between the dialects.
        const rows = await objectTagQueries.selectByName(tx, tenantId, input.name).execute();
        return rows.find((r) => Number(r.type) === type)!;
      });
      const tag = toTag(row);
      this.#logger.info({ tenantId, tagId: tag.id, name: tag.name, type: tag.type, allowed: tag.allowed }, "object tag defined");
      return tag;
    } catch (err) {
      if (isUniqueViolation(err)) throw new CtiError(Errors.OBJECT_TAG_EXISTS, `${input.name} (${input.type})`, { cause: err });
      throw err;
    }
  }

  async get(tenantId: number, id: number): Promise<ObjectTag | undefined> {
    const row = await objectTagQueries.selectById(this.#db, tenantId, id).executeTakeFirst();
    return row ? toTag(row) : undefined;
  }

  /** The tenant's tags of this name (one per type). */
  async findByName(tenantId: number, name: string): Promise<ObjectTag[]> {
    return (await objectTagQueries.selectByName(this.#db, tenantId, name).execute()).map(toTag);
  }

  /** By name, then type. */
  async list(tenantId: number): Promise<ObjectTag[]> {
    return (await objectTagQueries.selectByTenant(this.#db, tenantId).execute()).map(toTag);
  }

  /**
   * Replaces the object types the tag may be assigned to. An object type that objects are assigned from cannot be
   * taken away ("cannot be unchecked until the object is unassigned"): OBJECT_TAG_IN_USE. OBJECT_TAG_NOT_FOUND.
   */
  async setAllowed(tenantId: number, id: number, allowed: readonly TaggableObjectType[]): Promise<ObjectTag> {
    checkAllowed(allowed);
    const row = await this.#db.transaction().execute(async (tx) => {
      const current = await objectTagQueries.selectById(tx, tenantId, id).executeTakeFirst();
      if (!current) throw new CtiError(Errors.OBJECT_TAG_NOT_FOUND, String(id));
      for (const type of toTag(current).allowed.filter((t) => !allowed.includes(t))) {
        const { assigned } = await objectTagMappingQueries.countByTagAndType(tx, id, OBJECT_TYPE_CODES[type]).executeTakeFirstOrThrow();
        if (Number(assigned) > 0) throw new CtiError(Errors.OBJECT_TAG_IN_USE, `${current.name} is assigned to ${Number(assigned)} ${type} object(s)`);
      }
      await objectTagQueries.updateAllowed(tx, tenantId, id, allowFlags(allowed)).execute();
      return objectTagQueries.selectById(tx, tenantId, id).executeTakeFirstOrThrow();
    });
    const tag = toTag(row);
    this.#logger.info({ tenantId, tagId: id, allowed: tag.allowed }, "object tag allowed object types changed");
    return tag;
  }

  /** Removes the tag and every assignment of it. OBJECT_TAG_NOT_FOUND. */
  async remove(tenantId: number, id: number): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const current = await objectTagQueries.selectById(tx, tenantId, id).executeTakeFirst();
      if (!current) throw new CtiError(Errors.OBJECT_TAG_NOT_FOUND, String(id));
      // The foreign key cascades too; deleting explicitly keeps this right on a database whose key was dropped.
      await objectTagMappingQueries.deleteByTag(tx, id).execute();
      await objectTagQueries.delete(tx, tenantId, id).execute();
    });
    this.#logger.info({ tenantId, tagId: id }, "object tag removed");
  }

  /**
   * Assigns the tag to an object with a value, or changes the value of an existing assignment (the pair tag, object
   * is unique). OBJECT_TAG_NOT_FOUND, OBJECT_TAG_NOT_ALLOWED, OBJECT_TAG_VALUE_INVALID.
   */
  async assign(tenantId: number, id: number, objectType: TaggableObjectType, objectId: number, value: string): Promise<ObjectTagMapping> {
    const code = OBJECT_TYPE_CODES[objectType];
    if (code === undefined) throw new CtiError(Errors.BAD_REQUEST, `unknown object type ${String(objectType)}`);
    await this.#db.transaction().execute(async (tx) => {
      const row = await objectTagQueries.selectById(tx, tenantId, id).executeTakeFirst();
      if (!row) throw new CtiError(Errors.OBJECT_TAG_NOT_FOUND, String(id));
      const tag = toTag(row);
      if (!tag.allowed.includes(objectType)) {
        throw new CtiError(Errors.OBJECT_TAG_NOT_ALLOWED, `${tag.name} allows ${tag.allowed.join(", ") || "no object type"}, not ${objectType}`);
      }
      checkStoredValue(tag.type, value);
      const updated = await objectTagMappingQueries.updateValue(tx, id, code, objectId, value).executeTakeFirst();
      if (!updated.numUpdatedRows) await objectTagMappingQueries.insert(tx, id, code, objectId, value).execute();
    });
    this.#logger.info({ tenantId, tagId: id, objectType, objectId }, "object tag assigned");
    return { tagId: id, objectType, objectId, value };
  }

  /** OBJECT_TAG_NOT_FOUND, OBJECT_TAG_ASSIGNMENT_NOT_FOUND. */
  async unassign(tenantId: number, id: number, objectType: TaggableObjectType, objectId: number): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const row = await objectTagQueries.selectById(tx, tenantId, id).executeTakeFirst();
      if (!row) throw new CtiError(Errors.OBJECT_TAG_NOT_FOUND, String(id));
      const result = await objectTagMappingQueries.delete(tx, id, OBJECT_TYPE_CODES[objectType], objectId).executeTakeFirst();
      if (!result.numDeletedRows) throw new CtiError(Errors.OBJECT_TAG_ASSIGNMENT_NOT_FOUND, `${row.name} on ${objectType} ${objectId}`);
    });
    this.#logger.info({ tenantId, tagId: id, objectType, objectId }, "object tag unassigned");
  }

  /** The tag's assignments, by object type then object id. Rows with an object type the manual does not define are skipped. */
  async mappings(id: number): Promise<ObjectTagMapping[]> {
    const rows = await objectTagMappingQueries.selectByTag(this.#db, id).execute();
    const out: ObjectTagMapping[] = [];
    for (const r of rows) {
      const objectType = objectTypeFromCode(r.object_type);
      if (objectType) out.push({ tagId: Number(r.object_tag_id), objectType, objectId: Number(r.object_id), value: r.object_tag_value });
    }
    return out;
  }

  /** Tag id → stored value, for every tag one object carries. */
  async valuesOf(tenantId: number, objectType: TaggableObjectType, objectId: number): Promise<Map<number, string>> {
    const rows = await objectTagMappingQueries.selectByObject(this.#db, tenantId, OBJECT_TYPE_CODES[objectType], objectId).execute();
    return new Map(rows.map((r) => [Number(r.id), r.object_tag_value]));
  }

  /** The stored value of the tenant's tag `name` for one object; with several tags of that name, the given type's. */
  async valueFor(
    tenantId: number,
    name: string,
    objectType: TaggableObjectType,
    objectId: number,
    type?: ObjectTagType,
  ): Promise<{ tagId: number; type: ObjectTagType; value: string } | undefined> {
    const rows = await objectTagMappingQueries.valueForObject(this.#db, tenantId, name, OBJECT_TYPE_CODES[objectType], objectId).execute();
    const matching = rows
      .map((r) => ({ tagId: Number(r.id), type: tagTypeFromCode(r.type) ?? ("text" as const), value: r.object_tag_value }))
      .filter((r) => type === undefined || r.type === type);
    return matching[0];
  }
}
