import { defineCommand } from "citty";
import { duckConnect } from "../runtime/duckdb-native";
import { bigintSafe } from "../log";
import { globalArgs } from "./common";

export default defineCommand({
  meta: { name: "duckdb", description: "Run one SQL statement on the embedded DuckDB (diagnostics)", hidden: true },
  args: { sql: { type: "positional", description: "SQL to run", required: true }, ...globalArgs },
  async run({ args }) {
    using conn = await duckConnect(); // closes the connection and its database
    const rows = (await conn.runAndReadAll(String(args.sql))).getRowObjectsJson();
    console.log(JSON.stringify(rows, bigintSafe));
  },
});
