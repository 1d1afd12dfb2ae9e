// Every rule of the manual's "OBJECT TAGS" section, against a real SQLite file: the tables and their columns, the
// seven types, the object type codes, 150 tags per tenant, name+type unique per tenant, "Allow Object Tag for",
// no un-allowing an assigned object type, (tag, object type, object id) unique, dialed numbers unique and ≤ 50
// characters, values checked against the tag's type.
import test, { type ExecutionContext } from "ava";
import { Errors, isCtiError } from "../../cti/errors.js";
import { MAX_OBJECT_TAGS_PER_TENANT, OBJECT_TAG_TYPES } from "../../cti/object-tags/object-tag-types.js";
import { openTagStore, TENANT } from "./store-fixture.js";

async function rejectsWith(t: ExecutionContext, promise: Promise<unknown>, def: { code: string }) {
  const err: unknown = await t.throwsAsync(promise);
  t.true(isCtiError(err), `a CtiError, got ${String(err)}`);
  t.is((err as { code?: string }).code, def.code);
}

/** The database itself refuses the statement with this SQLite constraint code. */
function refusedBySqlite(t: ExecutionContext, run: () => unknown, sqliteCode: string) {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  t.is((error as { code?: string } | undefined)?.code, sqliteCode);
}

test("the tables have exactly the manual's columns", async (t) => {
  const f = await openTagStore(t);
  const columns = (table: string) => f.sql(`select name from pragma_table_info('${table}') order by cid`).map((r) => r.name);
  t.deepEqual(columns("object_tag"), ["id", "name", "type", "tenant_id", "sa_enabled", "sg_enabled", "agent_enabled", "dialednumber_enabled"]);
  t.deepEqual(columns("object_tag_mapping"), ["object_tag_id", "object_tag_value", "object_id", "object_type"]);
  t.deepEqual(columns("dialed_number"), ["id", "tenant_id", "number"]);
});

test("every one of the seven types can be defined, stored as 0..6 in the manual's order", async (t) => {
  const f = await openTagStore(t);
  for (const type of OBJECT_TAG_TYPES) await f.tags.define({ name: `tag-${type}`, type, allowed: ["agent"] });
  const rows = f.sql("select name, type from object_tag order by type");
  t.deepEqual(rows, OBJECT_TAG_TYPES.map((type, i) => ({ name: `tag-${type}`, type: i })));
  await rejectsWith(t, f.tags.define({ name: "x", type: "colour" as never, allowed: [] }), Errors.BAD_REQUEST);
  // The database refuses a type code no tag type has, even from SQL by hand.
  refusedBySqlite(t, () => f.sql("insert into object_tag (name, type, tenant_id) values ('bad', 7, -1)"), "SQLITE_CONSTRAINT_CHECK");
});

test("up to 150 object tags per tenant; the 151st is refused; another tenant has its own 150", async (t) => {
  const f = await openTagStore(t);
  for (let i = 0; i < MAX_OBJECT_TAGS_PER_TENANT; i++) await f.tags.define({ name: `t${i}`, type: "text", allowed: [] });
  await rejectsWith(t, f.tags.define({ name: "one-too-many", type: "text", allowed: [] }), Errors.OBJECT_TAG_LIMIT);
  t.is(f.sql("select count(*) as n from object_tag where tenant_id = -1")[0]!.n, 150);
  const other = await f.store.objectTags.tags.define(7, { name: "t0", type: "text", allowed: [] });
  t.is(other.tenantId, 7);
  // After removing one there is room again.
  await f.tags.remove("t0");
  await t.notThrowsAsync(f.tags.define({ name: "one-too-many", type: "text", allowed: [] }));
});

test("the same tenant cannot have two tags with the same name and type; same name with another type is fine", async (t) => {
  const f = await openTagStore(t);
  await f.tags.define({ name: "Region", type: "text", allowed: ["serviceGroup"] });
  await rejectsWith(t, f.tags.define({ name: "Region", type: "text", allowed: [] }), Errors.OBJECT_TAG_EXISTS);
  const numeric = await f.tags.define({ name: "Region", type: "number", allowed: ["agent"] });
  t.is(numeric.type, "number");
  // By name alone it is now ambiguous; by type or id it is not.
  await rejectsWith(t, f.tags.tag("Region"), Errors.OBJECT_TAG_AMBIGUOUS);
  t.is((await f.tags.tag("Region", "number")).id, numeric.id);
  t.is((await f.tags.tag(String(numeric.id))).type, "number");
  await rejectsWith(t, f.tags.tag("Nope"), Errors.OBJECT_TAG_NOT_FOUND);
  // Database constraint too (a second writer, or SQL by hand).
  refusedBySqlite(t, () => f.sql("insert into object_tag (name, type, tenant_id) values ('Region', 1, -1)"), "SQLITE_CONSTRAINT_UNIQUE");
});

test("Allow Object Tag for: the allow flags are stored in the four bit columns and only allowed types are assigned", async (t) => {
  const f = await openTagStore(t);
  await f.store.users.add({ tenantId: TENANT, logonId: "1001", pin: "1234" });
  const tag = await f.tags.define({ name: "Skill", type: "text", allowed: ["serviceGroup", "agent"] });
  t.deepEqual(tag.allowed, ["serviceGroup", "agent"]);
  t.deepEqual(f.sql("select sa_enabled, sg_enabled, agent_enabled, dialednumber_enabled from object_tag"), [
    { sa_enabled: 0, sg_enabled: 1, agent_enabled: 1, dialednumber_enabled: 0 },
  ]);
  await f.tags.assign("Skill", "agent", "1001", "french");
  await f.tags.assign("Skill", "serviceGroup", "Sales", "english");
  await rejectsWith(t, f.tags.assign("Skill", "serviceAccess", "sales-line", "x"), Errors.OBJECT_TAG_NOT_ALLOWED);
  await f.tags.addDialedNumber("0800 123");
  await rejectsWith(t, f.tags.assign("Skill", "dialedNumber", "0800 123", "x"), Errors.OBJECT_TAG_NOT_ALLOWED);
  t.is(f.sql("select count(*) as n from object_tag_mapping")[0]!.n, 2);
});

test("an object type that objects are assigned from cannot be un-allowed until they are unassigned", async (t) => {
  const f = await openTagStore(t);
  await f.tags.define({ name: "Region", type: "text", allowed: ["serviceGroup", "serviceAccess"] });
  await f.tags.assign("Region", "serviceGroup", "Sales", "north");
  await rejectsWith(t, f.tags.setAllowed("Region", ["serviceAccess"]), Errors.OBJECT_TAG_IN_USE);
  // An unassigned type can go, an assigned one stays.
  const narrowed = await f.tags.setAllowed("Region", ["serviceGroup", "agent"]);
  t.deepEqual(narrowed.allowed, ["serviceGroup", "agent"]);
  await f.tags.unassign("Region", "serviceGroup", "Sales");
  const none = await f.tags.setAllowed("Region", []);
  t.deepEqual(none.allowed, []);
  t.deepEqual(f.sql("select sa_enabled, sg_enabled, agent_enabled, dialednumber_enabled from object_tag"), [
    { sa_enabled: 0, sg_enabled: 0, agent_enabled: 0, dialednumber_enabled: 0 },
  ]);
});

test("object_type holds the manual's codes and object_id the object's id; (tag, type, object) is unique", async (t) => {
  const f = await openTagStore(t);
  const user = await f.store.users.add({ tenantId: TENANT, logonId: "1001", pin: "1234" });
  await f.tags.define({ name: "Level", type: "number", allowed: ["serviceGroup", "serviceAccess", "agent", "dialedNumber"] });
  const dn = await f.tags.addDialedNumber("+46 8 555 000");
  await f.tags.assign("Level", "serviceGroup", "Sales", "1");
  await f.tags.assign("Level", "serviceAccess", "sales-line", "2");
  await f.tags.assign("Level", "agent", "1001", "3");
  await f.tags.assign("Level", "dialedNumber", "+46 8 555 000", "4");
  const sg = f.sql("select id from service_group where config_id = 'Sales'")[0]!.id;
  const sa = f.sql("select id from service_access where config_id = 'sales-line'")[0]!.id;
  t.deepEqual(f.sql("select object_type, object_id, object_tag_value from object_tag_mapping order by object_type"), [
    { object_type: 0x0200, object_id: sg, object_tag_value: "1" },
    { object_type: 0x0400, object_id: sa, object_tag_value: "2" },
    { object_type: 0x1000, object_id: user.id, object_tag_value: "3" },
    { object_type: 0x100000, object_id: dn.id, object_tag_value: "4" },
  ]);
  // Assigning again changes the value: still one row per (tag, type, object).
  await f.tags.assign("Level", "agent", "1001", "9");
  t.deepEqual(f.sql("select object_tag_value from object_tag_mapping where object_type = 4096"), [{ object_tag_value: "9" }]);
  t.is(f.sql("select count(*) as n from object_tag_mapping")[0]!.n, 4);
  // The database keeps the combination unique, and the object type to the manual's four codes.
  const tagId = (await f.tags.tag("Level")).id;
  refusedBySqlite(t, () => f.sql("insert into object_tag_mapping values (?, 'x', ?, 4096)", tagId, user.id), "SQLITE_CONSTRAINT_PRIMARYKEY");
  refusedBySqlite(t, () => f.sql("insert into object_tag_mapping values (?, 'x', 1, 8192)", tagId), "SQLITE_CONSTRAINT_CHECK");
  const listed = await f.tags.assignments("Level");
  t.deepEqual(listed.map((a) => [a.objectType, a.object, a.value]), [
    ["serviceGroup", "Sales", "1"],
    ["serviceAccess", "sales-line", "2"],
    ["agent", "1001", "9"],
    ["dialedNumber", "+46 8 555 000", "4"],
  ]);
});

test("values are checked against the tag's type; object values are stored as the object's id", async (t) => {
  const f = await openTagStore(t);
  const user = await f.store.users.add({ tenantId: TENANT, logonId: "1001", pin: "1234" });
  const all = ["serviceGroup", "serviceAccess", "agent", "dialedNumber"] as const;
  for (const type of OBJECT_TAG_TYPES) await f.tags.define({ name: type, type, allowed: all });
  await f.store.users.add({ tenantId: TENANT, logonId: "2002", pin: "1234" });

  await rejectsWith(t, f.tags.assign("number", "agent", "2002", "twelve"), Errors.OBJECT_TAG_VALUE_INVALID);
  t.is((await f.tags.assign("number", "agent", "2002", "-12.5")).value, "-12.5");
  await rejectsWith(t, f.tags.assign("text", "agent", "2002", "x".repeat(101)), Errors.OBJECT_TAG_VALUE_INVALID);
  await rejectsWith(t, f.tags.assign("text", "agent", "2002", ""), Errors.OBJECT_TAG_VALUE_INVALID);
  t.is((await f.tags.assign("text", "agent", "2002", "x".repeat(100))).value.length, 100);

  await rejectsWith(t, f.tags.assign("serviceGroup", "agent", "2002", "Marketing"), Errors.OBJECT_TAG_VALUE_INVALID);
  const sg = await f.tags.assign("serviceGroup", "agent", "2002", "Support");
  t.is(sg.valueName, "Support");
  t.is(sg.value, String(f.sql("select id from service_group where config_id = 'Support'")[0]!.id));

  await rejectsWith(t, f.tags.assign("serviceAccess", "agent", "2002", "nope"), Errors.OBJECT_TAG_VALUE_INVALID);
  t.is((await f.tags.assign("serviceAccess", "agent", "2002", "sales-line")).valueName, "sales-line");

  await rejectsWith(t, f.tags.assign("agent", "serviceGroup", "Sales", "9999"), Errors.OBJECT_TAG_VALUE_INVALID);
  const agentValue = await f.tags.assign("agent", "serviceGroup", "Sales", "1001");
  t.is(agentValue.value, String(user.id));

  await rejectsWith(t, f.tags.assign("playMessage", "agent", "2002", "no-such-prompt"), Errors.OBJECT_TAG_VALUE_INVALID);
  t.is((await f.tags.assign("playMessage", "agent", "2002", "queue-welcome")).value, "queue-welcome");
  t.is((await f.tags.assign("scheduler", "agent", "2002", "office-hours")).value, "office-hours");
});

test("objects must exist: a configured service group or access, a user, a defined dialed number", async (t) => {
  const f = await openTagStore(t);
  await f.tags.define({ name: "T", type: "text", allowed: ["serviceGroup", "serviceAccess", "agent", "dialedNumber"] });
  await rejectsWith(t, f.tags.assign("T", "serviceGroup", "Marketing", "x"), Errors.TAGGED_OBJECT_UNKNOWN);
  await rejectsWith(t, f.tags.assign("T", "serviceAccess", "nope", "x"), Errors.TAGGED_OBJECT_UNKNOWN);
  await rejectsWith(t, f.tags.assign("T", "agent", "4711", "x"), Errors.TAGGED_OBJECT_UNKNOWN);
  await rejectsWith(t, f.tags.assign("T", "dialedNumber", "555", "x"), Errors.TAGGED_OBJECT_UNKNOWN);
  t.is(f.sql("select count(*) as n from object_tag_mapping")[0]!.n, 0);
  await rejectsWith(t, f.tags.unassign("T", "agent", "4711"), Errors.OBJECT_TAG_ASSIGNMENT_NOT_FOUND);
});

test("dialed numbers: any character, up to 50, unique within the tenant; removal takes their assignments", async (t) => {
  const f = await openTagStore(t);
  const fifty = "é".repeat(25) + "#*+ ()-x".repeat(3) + "1";
  t.is([...fifty].length, 50);
  const dn = await f.tags.addDialedNumber(fifty);
  t.is(dn.number, fifty);
  await rejectsWith(t, f.tags.addDialedNumber(fifty + "1"), Errors.DIALED_NUMBER_INVALID);
  await rejectsWith(t, f.tags.addDialedNumber(""), Errors.DIALED_NUMBER_INVALID);
  await rejectsWith(t, f.tags.addDialedNumber(fifty), Errors.DIALED_NUMBER_EXISTS);
  // Another tenant may define the same number.
  await t.notThrowsAsync(f.store.objectTags.dialedNumbers.add(5, fifty));
  t.deepEqual((await f.tags.dialedNumbers()).map((d) => d.number), [fifty]);

  await f.tags.define({ name: "Campaign", type: "text", allowed: ["dialedNumber"] });
  await f.tags.assign("Campaign", "dialedNumber", fifty, "spring");
  await f.tags.removeDialedNumber({ number: fifty });
  t.deepEqual(await f.tags.dialedNumbers(), []);
  t.is(f.sql("select count(*) as n from object_tag_mapping")[0]!.n, 0);
  await rejectsWith(t, f.tags.removeDialedNumber({ id: dn.id }), Errors.DIALED_NUMBER_NOT_FOUND);
});

test("removing a tag removes its assignments", async (t) => {
  const f = await openTagStore(t);
  await f.tags.define({ name: "Region", type: "text", allowed: ["serviceGroup"] });
  await f.tags.assign("Region", "serviceGroup", "Sales", "north");
  await f.tags.remove("Region");
  t.deepEqual(await f.tags.list(), []);
  t.is(f.sql("select count(*) as n from object_tag_mapping")[0]!.n, 0);
  await rejectsWith(t, f.tags.remove("Region"), Errors.OBJECT_TAG_NOT_FOUND);
});

test("an object's Object Tag page: every tag enabled for its type, with its value where it has one", async (t) => {
  const f = await openTagStore(t);
  await f.store.users.add({ tenantId: TENANT, logonId: "1001", pin: "1234" });
  await f.tags.define({ name: "Region", type: "text", allowed: ["agent", "serviceGroup"] });
  await f.tags.define({ name: "Level", type: "number", allowed: ["agent"] });
  await f.tags.define({ name: "Backup", type: "serviceGroup", allowed: ["agent"] });
  await f.tags.define({ name: "Campaign", type: "text", allowed: ["dialedNumber"] });
  await f.tags.assign("Region", "agent", "1001", "north");
  await f.tags.assign("Backup", "agent", "1001", "Support");
  const page = await f.tags.tagsOf("agent", "1001");
  t.deepEqual(page.map((p) => [p.name, p.valueName ?? p.value]), [["Backup", "Support"], ["Level", undefined], ["Region", "north"]]);
  // A configured group no tag refers to yet exists and carries nothing; an unknown one is refused.
  t.deepEqual((await f.tags.tagsOf("serviceGroup", "Support")).map((p) => [p.name, p.value]), [["Region", undefined]]);
  await rejectsWith(t, f.tags.tagsOf("serviceGroup", "Marketing"), Errors.TAGGED_OBJECT_UNKNOWN);
  await rejectsWith(t, f.tags.tagsOf("agent", "4711"), Errors.TAGGED_OBJECT_UNKNOWN);
});

test("lookup: the value for an object, object values by name; nothing for untagged or unknown objects", async (t) => {
  const f = await openTagStore(t);
  await f.store.users.add({ tenantId: TENANT, logonId: "1001", pin: "1234" });
  await f.tags.define({ name: "Backup", type: "serviceGroup", allowed: ["serviceGroup", "agent"] });
  await f.tags.define({ name: "Region", type: "text", allowed: ["serviceAccess", "dialedNumber"] });
  await f.tags.addDialedNumber("5550100");
  await f.tags.assign("Backup", "serviceGroup", "Sales", "Support");
  await f.tags.assign("Region", "serviceAccess", "sales-line", "north");
  await f.tags.assign("Region", "dialedNumber", "5550100", "south");
  t.is(await f.tags.lookup("Backup", "serviceGroup", "Sales"), "Support");
  t.is(await f.tags.lookup("Backup", "serviceGroup", "Support"), undefined);
  t.is(await f.tags.lookup("Backup", "agent", "1001"), undefined);
  t.is(await f.tags.lookup("Region", "serviceAccess", "sales-line"), "north");
  t.is(await f.tags.lookup("Region", "dialedNumber", "5550100"), "south");
  t.is(await f.tags.lookup("Region", "dialedNumber", "5550199"), undefined);
  t.is(await f.tags.lookup("Region", "serviceGroup", "Marketing"), undefined);
  t.is(await f.tags.lookup("Nope", "serviceAccess", "sales-line"), undefined);
});
