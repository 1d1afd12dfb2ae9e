// `dataSources` in the configuration: the external databases scripts may query, by name (seed 003, "Set Up a
// Database Connection": a name, the database, a timeout and the number of simultaneous connections).
//
//   dataSources:
//     - { name: crm, kind: sqlite, file: crm.sqlite }                       # relative to the data directory
//     - { name: erp, kind: mssql, url: "Server=db;Database=erp;User Id=ivr;Password=${ERP_PASSWORD}" }
import { z } from "zod";
import { durationMs } from "../../cti/config/duration.js";
import { secretString } from "../../cti/config/secret-string.js";

export const dataSourceSchema = z
  .object({
    /** What a `query` block names in `dataSource`. */
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '_', '.' or '-'"),
    kind: z.enum(["sqlite", "mssql"]),
    /** sqlite: the database file, relative to the data directory; opened read-only, and it must exist. */
    file: z.string().min(1).optional(),
    /** mssql: connection string or mssql:// URL, as store.url; ${ENV_VAR} keeps the password out of the file. */
    url: secretString().optional(),
    /** Longest a query may take before the script takes its error branch (a block's `timeout` overrides it). */
    timeout: durationMs.default(5000),
    /** Simultaneous connections (SQLite: reader threads; SQL Server: pool size). */
    connections: z.number().int().min(1).max(64).default(4),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.kind === "sqlite" && (!d.file || d.url)) ctx.addIssue({ code: "custom", path: ["file"], message: "a sqlite data source needs a file (and no url)" });
    if (d.kind === "mssql" && (!d.url || d.file)) ctx.addIssue({ code: "custom", path: ["url"], message: "an mssql data source needs a url (and no file)" });
  });

export const dataSourcesSchema = z
  .array(dataSourceSchema)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((d, i) => {
      if (seen.has(d.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate data source name "${d.name}"` });
      seen.add(d.name);
    });
  });

export type DataSourceConfig = z.output<typeof dataSourceSchema>;
