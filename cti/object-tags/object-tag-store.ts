// The object tag tables' repositories over the store's database (handed out as Store.objectTags).
import type { Kysely } from "kysely";
import type { Logger } from "../log.js";
import type { Database } from "../store/database-schema.js";
import { ConfiguredObjectRepository } from "./configured-object-repository.js";
import { DialedNumberRepository } from "./dialed-number-repository.js";
import { ObjectTagRepository } from "./object-tag-repository.js";
import type { ObjectTagTables } from "./object-tag-tables.js";

export class ObjectTagStore {
  readonly tags: ObjectTagRepository;
  readonly dialedNumbers: DialedNumberRepository;
  readonly configuredObjects: ConfiguredObjectRepository;

  constructor(db: Kysely<Database>, logger: Logger) {
    const tagDb = db.withTables<ObjectTagTables>();
    this.tags = new ObjectTagRepository(tagDb, logger);
    this.dialedNumbers = new DialedNumberRepository(tagDb, logger);
    this.configuredObjects = new ConfiguredObjectRepository(tagDb);
  }
}
