// better-sqlite3 cannot bind a Date. Repositories pass Dates (so each query is written once for both databases);
// on SQLite this plugin rewrites every Date parameter to the UTC text form the schema stores.
import {
  OperationNodeTransformer,
  PrimitiveValueListNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from "kysely";
import { sqliteTimestampText } from "./column-values.js";

class DateParameterTransformer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    return node.value instanceof Date ? Object.freeze({ ...node, value: sqliteTimestampText(node.value) }) : node;
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    if (!node.values.some((v) => v instanceof Date)) return node;
    return PrimitiveValueListNode.create(node.values.map((v) => (v instanceof Date ? sqliteTimestampText(v) : v)));
  }
}

export class SqliteDateParametersPlugin implements KyselyPlugin {
  readonly #transformer = new DateParameterTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
