// The SQL of query blocks: only one SELECT gets through, placeholders outside quotes become parameters, and the
// compiled statement is what SQLite and SQL Server receive (snapshots: no server is needed to review the T-SQL).
import test from "ava";
import { compileSelect } from "../../ivr/blocks/compile-select.js";
import { parseSelectStatement, SelectStatementError, describePlaceholder } from "../../ivr/blocks/select-statement.js";

test("placeholders :variable and %Profile Field% are found outside quotes and comments only", (t) => {
  const s = parseSelectStatement(
    "SELECT name, 'at 08:00 %ANI%' AS note, [x:y] FROM customer -- :not\n/* %ANI% */ WHERE phone = %ANI% AND number = :digits AND c = %Customer Number%",
  );
  t.deepEqual(s.placeholders.map(describePlaceholder), ["%ANI%", ":digits", "%Customer Number%"]);
  t.deepEqual(s.placeholders[0], { kind: "profile", field: "ANI" });
  t.deepEqual(s.placeholders[1], { kind: "variable", name: "digits" });
  t.is(s.fragments.length, 4);
  t.true(s.fragments[0]!.includes("'at 08:00 %ANI%'"), "text in a literal stays text");
});

test("%name% that is not a profile field is a variable; with a space it must be a field", (t) => {
  t.deepEqual(parseSelectStatement("SELECT 1 WHERE a = %digits%").placeholders, [{ kind: "variable", name: "digits" }]);
  const e = t.throws(() => parseSelectStatement("SELECT 1 WHERE a = %customer number%"), { instanceOf: SelectStatementError });
  t.regex(e!.message, /neither a call profile field nor a variable/);
});

test("modulo and casts are not placeholders", (t) => {
  t.deepEqual(parseSelectStatement("SELECT a % b, x::int FROM t").placeholders, []);
});

const REFUSED: [string, RegExp][] = [
  ["UPDATE customer SET vip = 1", /must start with SELECT/],
  ["DELETE FROM customer", /must start with SELECT/],
  ["WITH x AS (SELECT 1) SELECT * FROM x", /must start with SELECT/],
  ["SELECT 1; DELETE FROM customer", /only one statement/],
  ["SELECT 1 DELETE FROM customer", /"DELETE" may change the database/],
  ["SELECT * INTO copy FROM customer", /"INTO" may change the database/],
  ["SELECT 1 EXEC xp_cmdshell 'dir'", /"EXEC" may change the database/],
  ["select 1; attach database 'x' as y", /only one statement/],
  ["SELECT name FROM customer WHERE phone = ?", /'\?' is not allowed/],
  ["SELECT name FROM customer WHERE phone = @p", /'@' is not allowed/],
  ["SELECT 'unterminated FROM customer", /unterminated string literal/],
  ["SELECT 1 /* open", /unterminated comment/],
];

for (const [sql, reason] of REFUSED) {
  test(`refused: ${sql}`, (t) => {
    const e = t.throws(() => parseSelectStatement(sql), { instanceOf: SelectStatementError });
    t.regex(e!.message, reason);
  });
}

test("keywords inside literals and quoted identifiers, and a trailing ';', are allowed", (t) => {
  const s = parseSelectStatement(`SELECT "delete", [update], 'insert into; drop' FROM t WHERE note = 'it''s set' ;  `);
  t.deepEqual(s.placeholders, []);
});

test("compiled for SQLite: ? parameters in order, values never in the text", (t) => {
  const s = parseSelectStatement("SELECT name FROM customer WHERE phone = %ANI% AND number = :digits");
  const compiled = compileSelect(s, ["+46701234567", "' OR 1=1 --"], "sqlite");
  t.is(compiled.sql, "SELECT name FROM customer WHERE phone = ? AND number = ?");
  t.deepEqual(compiled.parameters, ["+46701234567", "' OR 1=1 --"]);
});

test("compiled T-SQL for SQL Server (snapshot)", (t) => {
  const samples = [
    "SELECT TOP 1 name, segment FROM dbo.customer WHERE phone = %ANI%",
    "SELECT c.name, o.total FROM customer c INNER JOIN orders o ON o.customer_id = c.id WHERE c.number = :digits AND c.phone = %ANI% AND o.total > 0",
    "SELECT field1 FROM table1 WHERE id1 IN (SELECT id2 FROM table2 WHERE k = %Customer Number%)",
  ];
  for (const sql of samples) {
    const s = parseSelectStatement(sql);
    const compiled = compileSelect(s, s.placeholders.map((_, i) => `value${i + 1}`), "mssql");
    t.false(compiled.sql.includes("value"), "values are parameters");
    t.snapshot({ sql: compiled.sql, parameters: compiled.parameters }, sql);
  }
});
