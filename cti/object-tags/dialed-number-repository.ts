// The tenant's dialed numbers (the manual's "Dialled Numbers" dialog): objects that exist only to carry object
// tags. Any characters, 1 to 50 of them, unique within the tenant. Removing one removes its tag assignments.
import { CtiError, Errors } from "../errors.js";
import type { Logger } from "../log.js";
import { isUniqueViolation } from "../store/constraint-violations.js";
import { dialedNumberQueries, objectTagMappingQueries } from "./object-tag-queries.js";
import type { ObjectTagDb } from "./object-tag-tables.js";
import { MAX_DIALED_NUMBER, OBJECT_TYPE_CODES } from "./object-tag-types.js";

export interface DialedNumber {
  id: number;
  tenantId: number;
  number: string;
}

function toDialedNumber(row: { id: number; tenant_id: number; number: string }): DialedNumber {
  return { id: Number(row.id), tenantId: Number(row.tenant_id), number: row.number };
}

export function checkDialedNumber(number: string): void {
  // Length in characters as people count them (a surrogate pair is one), which is what nvarchar(50) holds.
  if (typeof number !== "string" || number.length === 0 || [...number].length > MAX_DIALED_NUMBER) {
    throw new CtiError(Errors.DIALED_NUMBER_INVALID, `"${String(number).slice(0, 60)}" has ${[...String(number)].length} characters`);
  }
}

export class DialedNumberRepository {
  readonly #db: ObjectTagDb;
  readonly #logger: Logger;

  constructor(db: ObjectTagDb, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
  }

  /** DIALED_NUMBER_INVALID, DIALED_NUMBER_EXISTS. */
  async add(tenantId: number, number: string): Promise<DialedNumber> {
    checkDialedNumber(number);
    try {
      const row = await this.#db.transaction().execute(async (tx) => {
        await dialedNumberQueries.insert(tx, tenantId, number).execute();
        return dialedNumberQueries.selectByNumber(tx, tenantId, number).executeTakeFirstOrThrow();
      });
      const added = toDialedNumber(row);
      this.#logger.info({ tenantId, dialedNumberId: added.id }, "dialed number added");
      return added;
    } catch (err) {
      if (isUniqueViolation(err)) throw new CtiError(Errors.DIALED_NUMBER_EXISTS, number, { cause: err });
      throw err;
    }
  }

  async get(tenantId: number, number: string): Promise<DialedNumber | undefined> {
    const row = await dialedNumberQueries.selectByNumber(this.#db, tenantId, number).executeTakeFirst();
    return row ? toDialedNumber(row) : undefined;
  }

  async getById(tenantId: number, id: number): Promise<DialedNumber | undefined> {
    const row = await dialedNumberQueries.selectById(this.#db, tenantId, id).executeTakeFirst();
    return row ? toDialedNumber(row) : undefined;
  }

  /** By number. */
  async list(tenantId: number): Promise<DialedNumber[]> {
    return (await dialedNumberQueries.selectByTenant(this.#db, tenantId).execute()).map(toDialedNumber);
  }

  /** Removes the number and its object tag assignments. DIALED_NUMBER_NOT_FOUND. */
  async remove(tenantId: number, id: number): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const row = await dialedNumberQueries.selectById(tx, tenantId, id).executeTakeFirst();
      if (!row) throw new CtiError(Errors.DIALED_NUMBER_NOT_FOUND, String(id));
      await objectTagMappingQueries.deleteByObject(tx, OBJECT_TYPE_CODES.dialedNumber, id).execute();
      await dialedNumberQueries.delete(tx, tenantId, id).execute();
    });
    this.#logger.info({ tenantId, dialedNumberId: id }, "dialed number removed");
  }
}
