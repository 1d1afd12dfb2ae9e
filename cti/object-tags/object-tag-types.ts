// The manual's vocabulary for object tags ("OBJECT TAGS"): the seven tag types, the four kinds of object a tag can
// be assigned to with their object_type codes, and the limits. Tag type codes are the manual's list order (it names
// the types but gives no numbers); object type codes are the manual's own (0x0200, 0x0400, 0x1000, 0x100000).

/** object_tag.type: the manual's order "Number, Text, Service Access, Service Group, Scheduler, Agent or Play message" → 0..6. */
export const OBJECT_TAG_TYPES = ["number", "text", "serviceAccess", "serviceGroup", "scheduler", "agent", "playMessage"] as const;
export type ObjectTagType = (typeof OBJECT_TAG_TYPES)[number];

/** Kinds of object a tag can be assigned to ("Allow Object Tag for"). */
export const TAGGABLE_OBJECT_TYPES = ["serviceAccess", "serviceGroup", "agent", "dialedNumber"] as const;
export type TaggableObjectType = (typeof TAGGABLE_OBJECT_TYPES)[number];

/** object_tag_mapping.object_type, as the manual defines it. */
export const OBJECT_TYPE_CODES: Readonly<Record<TaggableObjectType, number>> = {
  serviceGroup: 0x0200,
  serviceAccess: 0x0400,
  agent: 0x1000,
  dialedNumber: 0x100000,
};

/** The object_tag flag column that allows each kind of object. */
export const ALLOW_COLUMNS = {
  serviceAccess: "sa_enabled",
  serviceGroup: "sg_enabled",
  agent: "agent_enabled",
  dialedNumber: "dialednumber_enabled",
} as const satisfies Record<TaggableObjectType, string>;

/** "Up to 150 object tags are permitted per tenant." */
export const MAX_OBJECT_TAGS_PER_TENANT = 150;
/** object_tag.name varchar(100). */
export const MAX_TAG_NAME = 100;
/** object_tag_mapping.object_tag_value varchar(100). */
export const MAX_TAG_VALUE = 100;
/** "The number field can contain any character and may be up to 50 characters long." */
export const MAX_DIALED_NUMBER = 50;

export function tagTypeCode(type: ObjectTagType): number {
  return OBJECT_TAG_TYPES.indexOf(type);
}

/** undefined for a code no tag type has (a row inserted by hand). */
export function tagTypeFromCode(code: unknown): ObjectTagType | undefined {
  return OBJECT_TAG_TYPES[Number(code)];
}

export function objectTypeFromCode(code: unknown): TaggableObjectType | undefined {
  const n = Number(code);
  return TAGGABLE_OBJECT_TYPES.find((t) => OBJECT_TYPE_CODES[t] === n);
}

export function isObjectTagType(value: unknown): value is ObjectTagType {
  return (OBJECT_TAG_TYPES as readonly unknown[]).includes(value);
}

export function isTaggableObjectType(value: unknown): value is TaggableObjectType {
  return (TAGGABLE_OBJECT_TYPES as readonly unknown[]).includes(value);
}
