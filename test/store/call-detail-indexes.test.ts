// The call detail report queries use their indexes: checked on SQLite with EXPLAIN QUERY PLAN on a migrated file,
// with the exact SQL the repository sends. (SQL Server's plans cannot be checked here; it gets the same indexes.)
import test from "ava";
import { callDetailQueries, type CallDetailRange } from "../../cti/store/call-detail-queries.js";
import { sqliteCompiler, sqliteQueryPlan } from "./sqlite-query-plan.js";

const DAY: CallDetailRange = { tenantId: -1, from: new Date("2024-05-01T00:00:00Z"), to: new Date("2024-05-02T00:00:00Z"), limit: 100 };

function planOf(range: CallDetailRange): Promise<string> {
  return sqliteQueryPlan(callDetailQueries.selectRange(sqliteCompiler, "sqlite", range).compile());
}

test("the calls of a group in a time range are found through the group index, already in order", async (t) => {
  const plan = await planOf({ ...DAY, serviceGroup: "sales" });
  t.notRegex(plan, /TEMP B-TREE/, "no sort step: the index (and its rowid) gives arrival order");
  t.regex(plan, /SEARCH call_detail USING INDEX call_detail_group_arrived_ix \(tenant_id=\? AND service_group=\? AND arrived_at>\? AND arrived_at<\?\)/);
});

test("the calls of an agent in a time range are found through the agent index, already in order", async (t) => {
  const plan = await planOf({ ...DAY, logonId: "1001" });
  t.notRegex(plan, /TEMP B-TREE/);
  t.regex(plan, /SEARCH call_detail USING INDEX call_detail_agent_arrived_ix \(tenant_id=\? AND logon_id=\? AND arrived_at>\? AND arrived_at<\?\)/);
});

test("all of a tenant's calls in a time range are found through the arrival index", async (t) => {
  t.regex(await planOf(DAY), /SEARCH call_detail USING INDEX call_detail_arrived_ix \(tenant_id=\? AND arrived_at>\? AND arrived_at<\?\)/);
});
