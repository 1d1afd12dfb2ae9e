// The agent call detail report queries use their indexes: checked on SQLite with EXPLAIN QUERY PLAN on a migrated
// file, with the exact SQL the repository sends. (SQL Server gets the same indexes.)
import test from "ava";
import { agentCallDetailQueries, type AgentCallDetailRange } from "../../cti/store/agent-call-detail-queries.js";
import { sqliteCompiler, sqliteQueryPlan } from "./sqlite-query-plan.js";

const DAY: AgentCallDetailRange = { tenantId: -1, from: new Date("2024-05-01T00:00:00Z"), to: new Date("2024-05-02T00:00:00Z"), limit: 100 };

function planOf(range: AgentCallDetailRange): Promise<string> {
  return sqliteQueryPlan(agentCallDetailQueries.selectRange(sqliteCompiler, "sqlite", range).compile());
}

test("an agent's calls in a time range are found through the agent index, already in order", async (t) => {
  const plan = await planOf({ ...DAY, logonId: "1001" });
  t.notRegex(plan, /TEMP B-TREE/, "no sort step: the index (and its rowid) gives initiation order");
  t.regex(plan, /SEARCH agent_call_detail USING INDEX agent_call_detail_agent_initiated_ix \(tenant_id=\? AND logon_id=\? AND initiated_at>\? AND initiated_at<\?\)/);
});

test("a service group's calls in a time range are found through the group index, already in order", async (t) => {
  const plan = await planOf({ ...DAY, serviceGroup: "sales" });
  t.notRegex(plan, /TEMP B-TREE/);
  t.regex(plan, /SEARCH agent_call_detail USING INDEX agent_call_detail_group_initiated_ix \(tenant_id=\? AND service_group=\? AND initiated_at>\? AND initiated_at<\?\)/);
});

test("all of a tenant's agent calls in a time range are found through the initiation index", async (t) => {
  t.regex(await planOf(DAY), /SEARCH agent_call_detail USING INDEX agent_call_detail_initiated_ix \(tenant_id=\? AND initiated_at>\? AND initiated_at<\?\)/);
});
