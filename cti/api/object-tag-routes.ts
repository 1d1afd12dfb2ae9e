// Object tags and dialed numbers (the manual's Object Tags tab, Object Tag Assignment and Dialled Numbers dialogs):
// define tags, allow object types, assign tags to service accesses, service groups, agents and dialed numbers.
// A tag in a path is its id or its name (percent-encoded); a name two tags share needs the id.
import type { FastifyInstance } from "fastify";
import { Errors } from "../errors.js";
import type { ObjectTagDirectory } from "../object-tags/object-tag-directory.js";
import {
  MAX_TAG_NAME,
  MAX_TAG_VALUE,
  OBJECT_TAG_TYPES,
  TAGGABLE_OBJECT_TYPES,
  type ObjectTagType,
  type TaggableObjectType,
} from "../object-tags/object-tag-types.js";
import { errorResponses } from "./error-reply.js";

const tags = ["object tags"];

const allowed = {
  type: "array",
  uniqueItems: true,
  items: { type: "string", enum: [...TAGGABLE_OBJECT_TYPES] },
  description: "The object types the tag may be assigned to (the manual's \"Allow Object Tag for\").",
} as const;

const objectTagSchema = {
  type: "object",
  required: ["id", "name", "type", "allowed"],
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    type: { type: "string", enum: [...OBJECT_TAG_TYPES], description: "What the tag's values are." },
    allowed,
  },
} as const;

const assignmentSchema = {
  type: "object",
  required: ["objectType", "objectId", "value"],
  properties: {
    objectType: { type: "string", enum: [...TAGGABLE_OBJECT_TYPES] },
    object: { type: "string", description: "Service access or group id, agent logon ID, or dialed number; absent when the object is gone." },
    objectId: { type: "integer", description: "object_tag_mapping.object_id." },
    value: { type: "string", description: "object_tag_mapping.object_tag_value: the number or text, or the id of the object the value names." },
    valueName: { type: "string", description: "For service access, service group and agent tags: the named object's id or logon ID." },
  },
} as const;

const dialedNumberSchema = {
  type: "object",
  required: ["id", "number"],
  properties: { id: { type: "integer" }, number: { type: "string" } },
} as const;

const tagParams = {
  type: "object",
  required: ["tag"],
  additionalProperties: false,
  properties: { tag: { type: "string", minLength: 1, maxLength: MAX_TAG_NAME, description: "The tag's id, or its name." } },
} as const;

const objectRef = {
  objectType: { type: "string", enum: [...TAGGABLE_OBJECT_TYPES] },
  object: { type: "string", minLength: 1, maxLength: MAX_TAG_VALUE, description: "Service access or group id, agent logon ID, or dialed number." },
} as const;

type TagParams = { tag: string };
type NewTagBody = { name: string; type: ObjectTagType; allowed?: TaggableObjectType[] };
type AssignBody = { objectType: TaggableObjectType; object: string; value: string };
type ObjectBody = { objectType: TaggableObjectType; object: string };

const TAG_LOOKUP_ERRORS = [Errors.OBJECT_TAG_NOT_FOUND, Errors.OBJECT_TAG_AMBIGUOUS];

export function registerObjectTagRoutes(server: FastifyInstance, directory: ObjectTagDirectory): void {
  server.get("/object-tags", {
    schema: { tags, summary: "The tenant's object tags, by name", response: { 200: { type: "array", items: objectTagSchema }, ...errorResponses() } },
  }, async () => directory.list());

  server.post<{ Body: NewTagBody }>("/object-tags", {
    schema: {
      tags,
      summary: "Define an object tag",
      description: "At most 150 per tenant; name and type together are unique.",
      body: {
        type: "object",
        required: ["name", "type"],
        additionalProperties: false,
        properties: {
          name: { type: "string", minLength: 1, maxLength: MAX_TAG_NAME },
          type: { type: "string", enum: [...OBJECT_TAG_TYPES] },
          allowed,
        },
      },
      response: { 201: objectTagSchema, ...errorResponses(Errors.OBJECT_TAG_EXISTS, Errors.OBJECT_TAG_LIMIT) },
    },
  }, async (request, reply) => {
    const { name, type, allowed: allow = [] } = request.body;
    return reply.status(201).send(await directory.define({ name, type, allowed: allow }));
  });

  server.get<{ Params: TagParams }>("/object-tags/:tag", {
    schema: {
      tags,
      summary: "One object tag with its assignments",
      params: tagParams,
      response: {
        200: { ...objectTagSchema, required: [...objectTagSchema.required, "assignments"], properties: { ...objectTagSchema.properties, assignments: { type: "array", items: assignmentSchema } } },
        ...errorResponses(...TAG_LOOKUP_ERRORS),
      },
    },
  }, async (request) => directory.withAssignments(request.params.tag));

  server.patch<{ Params: TagParams; Body: { allowed: TaggableObjectType[] } }>("/object-tags/:tag", {
    schema: {
      tags,
      summary: "Change the object types a tag may be assigned to",
      description: "An object type that objects are assigned from cannot be taken away until they are unassigned.",
      params: tagParams,
      body: { type: "object", required: ["allowed"], additionalProperties: false, properties: { allowed } },
      response: { 200: objectTagSchema, ...errorResponses(...TAG_LOOKUP_ERRORS, Errors.OBJECT_TAG_IN_USE) },
    },
  }, async (request) => directory.setAllowed(request.params.tag, request.body.allowed));

  server.delete<{ Params: TagParams }>("/object-tags/:tag", {
    schema: {
      tags,
      summary: "Remove an object tag and all its assignments",
      params: tagParams,
      response: { 204: { description: "Removed", type: "null" }, ...errorResponses(...TAG_LOOKUP_ERRORS) },
    },
  }, async (request, reply) => {
    await directory.remove(request.params.tag);
    return reply.status(204).send();
  });

  server.get<{ Params: TagParams }>("/object-tags/:tag/assignments", {
    schema: {
      tags,
      summary: "The objects a tag is assigned to, with their values",
      params: tagParams,
      response: { 200: { type: "array", items: assignmentSchema }, ...errorResponses(...TAG_LOOKUP_ERRORS) },
    },
  }, async (request) => directory.assignments(request.params.tag));

  server.post<{ Params: TagParams; Body: AssignBody }>("/object-tags/:tag/assignments", {
    schema: {
      tags,
      summary: "Assign a tag to an object with a value (again: change the value)",
      description:
        "The value fits the tag's type: a number, a text, the id of a configured service access or service group, an agent's " +
        "logon ID, a scheduler name, or a prompt name for play message tags.",
      params: tagParams,
      body: {
        type: "object",
        required: ["objectType", "object", "value"],
        additionalProperties: false,
        properties: { ...objectRef, value: { type: "string", minLength: 1, maxLength: MAX_TAG_VALUE } },
      },
      response: {
        200: assignmentSchema,
        ...errorResponses(...TAG_LOOKUP_ERRORS, Errors.OBJECT_TAG_NOT_ALLOWED, Errors.OBJECT_TAG_VALUE_INVALID, Errors.TAGGED_OBJECT_UNKNOWN),
      },
    },
  }, async (request) => {
    const { objectType, object, value } = request.body;
    return directory.assign(request.params.tag, objectType, object, value);
  });

  server.delete<{ Params: TagParams; Body: ObjectBody }>("/object-tags/:tag/assignments", {
    schema: {
      tags,
      summary: "Take a tag off one object",
      params: tagParams,
      body: { type: "object", required: ["objectType", "object"], additionalProperties: false, properties: objectRef },
      response: { 204: { description: "Unassigned", type: "null" }, ...errorResponses(...TAG_LOOKUP_ERRORS, Errors.OBJECT_TAG_ASSIGNMENT_NOT_FOUND) },
    },
  }, async (request, reply) => {
    await directory.unassign(request.params.tag, request.body.objectType, request.body.object);
    return reply.status(204).send();
  });

  server.get<{ Params: ObjectBody }>("/objects/:objectType/:object/object-tags", {
    schema: {
      tags,
      summary: "An object's tags: every tag enabled for its type, with its value where it has one",
      description: "The manual's Object Tag page of an agent, service group or service access (and of a dialed number).",
      params: { type: "object", required: ["objectType", "object"], additionalProperties: false, properties: objectRef },
      response: {
        200: {
          type: "array",
          items: {
            ...objectTagSchema,
            properties: {
              ...objectTagSchema.properties,
              value: { type: "string", description: "The object's object_tag_value; absent when it does not carry the tag." },
              valueName: { type: "string" },
            },
          },
        },
        ...errorResponses(Errors.TAGGED_OBJECT_UNKNOWN),
      },
    },
  }, async (request) => directory.tagsOf(request.params.objectType, request.params.object));

  server.get("/dialed-numbers", {
    schema: { tags, summary: "The tenant's dialed numbers", response: { 200: { type: "array", items: dialedNumberSchema }, ...errorResponses() } },
  }, async () => (await directory.dialedNumbers()).map(({ id, number }) => ({ id, number })));

  server.post<{ Body: { number: string } }>("/dialed-numbers", {
    schema: {
      tags,
      summary: "Add a dialed number",
      description: "Any characters, up to 50; unique within the tenant.",
      body: { type: "object", required: ["number"], additionalProperties: false, properties: { number: { type: "string", description: "Checked by the store (CTI_ERR_DIALED_NUMBER_INVALID): 1 to 50 characters." } } },
      response: { 201: dialedNumberSchema, ...errorResponses(Errors.DIALED_NUMBER_EXISTS, Errors.DIALED_NUMBER_INVALID) },
    },
  }, async (request, reply) => {
    const { id, number } = await directory.addDialedNumber(request.body.number);
    return reply.status(201).send({ id, number });
  });

  server.delete<{ Params: { id: string } }>("/dialed-numbers/:id", {
    schema: {
      tags,
      summary: "Remove a dialed number and its tag assignments",
      params: { type: "object", required: ["id"], additionalProperties: false, properties: { id: { type: "string", pattern: "^[0-9]{1,10}$", description: "The dialed number's id." } } },
      response: { 204: { description: "Removed", type: "null" }, ...errorResponses(Errors.DIALED_NUMBER_NOT_FOUND) },
    },
  }, async (request, reply) => {
    await directory.removeDialedNumber({ id: Number(request.params.id) });
    return reply.status(204).send();
  });
}
