// The worked example script ivr/scripts/customer-lookup.yaml, loaded as the daemon loads it (real prompts, the
// configured data source names) and run against a real SQLite CRM with the clock set: opening hours, the lookup
// by calling number into the call profile, and the priority for gold customers.
import test from "ava";
import { ActionRegistry } from "../../ivr/actions.js";
import { ScriptEngine } from "../../ivr/script-engine.js";
import { ScriptLibrary } from "../../ivr/script-library.js";
import { PromptLibrary } from "../../ivr/media/prompt-library.js";
import { promptExists } from "../../ivr/prompt-exists.js";
import { silentLogger } from "../../cti/log.js";
import type { QueryRunner } from "../../ivr/blocks/data-sources.js";
import { MemoryChannel } from "./memory-channel.js";
import { createCrmDatabase, crmDataSources, CUSTOMERS } from "./crm-database.js";

const prompts = new PromptLibrary();

function loadExample(dataSourceNames: ReadonlySet<string>) {
  const library = new ScriptLibrary({ directories: [], actionNames: new Set(), promptExists: (p) => promptExists(prompts, p, "en"), dataSourceNames });
  library.loadAll(["customer-lookup"]);
  return library.get("customer-lookup")!;
}

async function call(dataSources: QueryRunner, ani: string, now: string) {
  const channel = new MemoryChannel();
  const engine = new ScriptEngine({ actions: new ActionRegistry(), logger: silentLogger(), dataSources, clock: () => new Date(now) });
  const result = await engine.run(loadExample(new Set(["crm"])), channel, { ANI: ani, DNIS: "3000", CALL_ID: "c1", CALL_MANAGER: "demo", SOURCE_ADDRESS: "127.0.0.1" });
  return { played: channel.played.map((p) => p[0]), profile: result.profile.toJSON(), outcome: result.outcome };
}

// Tuesday 4 March 2025, 10:00 in Stockholm.
const OPEN = "2025-03-04T09:00:00Z";

test("the example needs the crm data source: without it the script is refused at load", (t) => {
  const error = t.throws(() => loadExample(new Set()));
  t.regex(error!.message, /customer-lookup\.yaml:\d+:\d+: unknown data source "crm" \(configured: none\)/);
});

test("a gold customer calling in opening hours gets the profile filled and priority 10", async (t) => {
  const sources = crmDataSources(t, createCrmDatabase(t));
  const { played, profile, outcome } = await call(sources, CUSTOMERS[0]!.phone, OPEN);
  t.deepEqual(played, ["queue-welcome"]);
  t.is(outcome, "disconnected");
  t.like(profile, { ANI: CUSTOMERS[0]!.phone, "Customer Number": "4711", "Customer Name": "Åsa Öberg", Service: "gold", Priority: "10" });
});

test("a silver customer gets the profile but not the priority", async (t) => {
  const sources = crmDataSources(t, createCrmDatabase(t));
  const { profile } = await call(sources, CUSTOMERS[1]!.phone, OPEN);
  t.like(profile, { "Customer Number": "0042", Service: "silver" });
  t.is(profile.Priority, undefined);
});

test("an unknown caller is welcomed without customer data", async (t) => {
  const sources = crmDataSources(t, createCrmDatabase(t));
  const { played, profile } = await call(sources, "+4600000000", OPEN);
  t.deepEqual(played, ["queue-welcome"]);
  t.is(profile["Customer Number"], undefined);
});

test("outside opening hours, at weekends and on holidays the caller hears that the service is closed", async (t) => {
  const sources = crmDataSources(t, createCrmDatabase(t));
  for (const when of ["2025-03-04T16:00:00Z", "2025-03-08T09:00:00Z", "2025-12-24T09:00:00Z", "2026-01-01T09:00:00Z"]) {
    const { played, profile } = await call(sources, CUSTOMERS[0]!.phone, when);
    t.deepEqual(played, ["queue-closed"], when);
    t.is(profile["Customer Number"], undefined, "no lookup outside opening hours");
  }
});
