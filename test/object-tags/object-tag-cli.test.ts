// `ctibridge object-tag …` and `ctibridge dialed-number …` through the real built binary, on the demo
// configuration (service group Sales, service access sales-line) and a fresh data directory.
import test from "ava";
import { spawnSync } from "node:child_process";
import { repoRoot } from "../harness/repo-root.js";
import { makeTempDir } from "../harness/temp-dir.js";

const CLI = `${repoRoot()}/dist/cti/cli.js`;

function ctibridge(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: repoRoot() });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("define, assign, list, unassign and remove object tags; dialed numbers add, list, remove", (t) => {
  const dir = makeTempDir(t, "cli-object-tags");
  const data = ["--data", dir.join("data")];
  const ok = (args: string[]) => {
    const r = ctibridge([...args, ...data]);
    t.is(r.code, 0, `${args.join(" ")}: ${r.err}`);
    return r.out;
  };
  const refused = (args: string[], code: RegExp) => {
    const r = ctibridge([...args, ...data]);
    t.is(r.code, 1, args.join(" "));
    t.regex(r.err, code);
  };

  t.regex(ok(["user", "add", "1001", "--pin", "1234"]), /added 1001/);
  t.regex(ok(["object-tag", "define", "Region", "--type", "text", "--allow", "serviceGroup,serviceAccess,dialedNumber"]), /defined Region \(id \d+\)/);
  ok(["object-tag", "define", "Backup agent", "--type", "agent", "--allow", "serviceGroup"]);
  refused(["object-tag", "define", "Region", "--type", "text"], /CTI_ERR_OBJECT_TAG_EXISTS/);
  t.is(ctibridge(["object-tag", "define", "X", "--type", "colour", ...data]).code, 2, "commander refuses an unknown type");

  t.regex(ok(["dialed-number", "add", "+46 (8) 555-0100"]), /added \+46 \(8\) 555-0100/);
  refused(["dialed-number", "add", "+46 (8) 555-0100"], /CTI_ERR_DIALED_NUMBER_EXISTS/);
  refused(["dialed-number", "add", "x".repeat(51)], /CTI_ERR_DIALED_NUMBER_INVALID/);
  t.regex(ok(["dialed-number", "list"]), /^\d+\t\+46 \(8\) 555-0100$/m);

  ok(["object-tag", "assign", "Region", "--service-group", "Sales", "--value", "north"]);
  ok(["object-tag", "assign", "Region", "--service-access", "sales-line", "--value", "east"]);
  ok(["object-tag", "assign", "Region", "--dialed-number", "+46 (8) 555-0100", "--value", "south"]);
  ok(["object-tag", "assign", "Backup agent", "--service-group", "Sales", "--value", "1001"]);
  refused(["object-tag", "assign", "Region", "--agent", "1001", "--value", "west"], /CTI_ERR_OBJECT_TAG_NOT_ALLOWED/);
  refused(["object-tag", "assign", "Region", "--service-group", "Marketing", "--value", "west"], /CTI_ERR_TAGGED_OBJECT_UNKNOWN/);
  refused(["object-tag", "assign", "Backup agent", "--service-group", "Sales", "--value", "9999"], /CTI_ERR_OBJECT_TAG_VALUE_INVALID/);
  refused(["object-tag", "assign", "Region", "--value", "west"], /name exactly one object/);

  const tags = ok(["object-tag", "list"]);
  t.regex(tags, /^\d+\tBackup agent\tagent\tserviceGroup$/m);
  t.regex(tags, /^\d+\tRegion\ttext\tserviceAccess,serviceGroup,dialedNumber$/m);
  const region = ok(["object-tag", "list", "Region"]);
  t.regex(region, /^serviceGroup\tSales\tnorth$/m);
  t.regex(region, /^serviceAccess\tsales-line\teast$/m);
  t.regex(region, /^dialedNumber\t\+46 \(8\) 555-0100\tsouth$/m);
  t.regex(ok(["object-tag", "list", "Backup agent"]), /^serviceGroup\tSales\t1001$/m);
  const salesPage = ok(["object-tag", "list", "--service-group", "Sales"]);
  t.regex(salesPage, /^\d+\tBackup agent\tagent\t1001$/m);
  t.regex(salesPage, /^\d+\tRegion\ttext\tnorth$/m);

  refused(["object-tag", "set", "Region", "--allow", "serviceAccess,dialedNumber"], /CTI_ERR_OBJECT_TAG_IN_USE/);
  ok(["object-tag", "unassign", "Region", "--service-group", "Sales"]);
  t.regex(ok(["object-tag", "set", "Region", "--allow", "serviceAccess,dialedNumber"]), /updated Region: serviceAccess,dialedNumber/);
  refused(["object-tag", "unassign", "Region", "--service-group", "Sales"], /CTI_ERR_OBJECT_TAG_ASSIGNMENT_NOT_FOUND/);

  ok(["dialed-number", "remove", "+46 (8) 555-0100"]);
  t.notRegex(ok(["object-tag", "list", "Region"]), /dialedNumber/);
  ok(["object-tag", "remove", "Region"]);
  t.notRegex(ok(["object-tag", "list"]), /Region/);
  refused(["object-tag", "remove", "Region"], /CTI_ERR_OBJECT_TAG_NOT_FOUND/);
});
