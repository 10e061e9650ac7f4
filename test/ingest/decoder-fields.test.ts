/**
 * The Bronze decoders' field numbers, column positions and required-field masks come from
 * the table schemas: the masks match the contracts' required fields, and a binding that no
 * longer fits its schema fails at module load instead of writing the wrong column.
 */
import { describe, expect, test } from "bun:test";
import { DECODERS, DecodeError, JsonCursor, Partitions, TableBuffer } from "../../src/ingest/worker/decode/index";
import { wireFields } from "../../src/ingest/worker/decode/wire-fields";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../src/schemas/bronze";
import { col, type TableSchema } from "../../src/schemas/types";

const requiredNames = (names: readonly string[], mask: number) => names.filter((_, i) => (mask & (1 << i)) !== 0);

describe("wire fields derived from the Bronze schemas", () => {
  test("futures.trades: every non-nullable column but the defaulted ts_recv_ns is required", () => {
    const w = wireFields(FUTURES_TRADES, { defaulted: ["ts_recv_ns"] });
    expect(w.names).toEqual(FUTURES_TRADES.columns.map((c) => c.name));
    expect(requiredNames(w.names, w.required)).toEqual(["ts_event_ns", "source", "symbol", "price", "size", "aggressor"]);
    expect(w.required).toBe(0b0001111101);
  });

  test("options.trades: all but ts_recv_ns, opt_bid, opt_ask, conditions and seq are required", () => {
    const w = wireFields(OPTION_TRADES, { defaulted: ["ts_recv_ns"] });
    expect(requiredNames(w.names, w.required)).toEqual(["ts_event_ns", "source", "underlying", "option_symbol", "exp_date", "strike", "right", "price", "size", "aggressor"]);
    expect(w.required).toBe(0b001001111111101);
  });

  test("futures.mbp10: `levels` stands for the 40 depth columns and is required; is_snapshot defaults", () => {
    const depth = FUTURES_MBP10.columns.map((c) => c.name).filter((n) => /_(px|sz)_\d+$/.test(n));
    const w = wireFields(FUTURES_MBP10, { names: ["ts_event_ns", "ts_recv_ns", "source", "symbol", "levels", "is_snapshot", "seq"], defaulted: ["ts_recv_ns", "is_snapshot"], wireOnly: { levels: depth } });
    expect(requiredNames(w.names, w.required)).toEqual(["ts_event_ns", "source", "symbol", "levels"]);
    expect(w.field("seq")).toBe(6);
    expect(w.column("seq")).toBe(FUTURES_MBP10.columns.length - 1);
    expect(w.column("bid_px_1")).toBe(4);
  });

  test("a binding that does not fit its schema fails with the reason", () => {
    expect(() => wireFields(FUTURES_TRADES, { names: ["ts_event_ns", "ts_recv_ns", "source", "symbl"] })).toThrow('field "symbl" is not a column');
    expect(() => wireFields(FUTURES_TRADES, { names: ["ts_event_ns", "ts_recv_ns", "source", "symbol"] })).toThrow("no wire field writes column(s) price, size");
    expect(() => wireFields(FUTURES_TRADES, { defaulted: ["ts_recv"] })).toThrow('defaulted field "ts_recv" is not a wire field');
    expect(() => wireFields(FUTURES_MBP10, { names: ["ts_event_ns", "ts_recv_ns", "source", "symbol", "is_snapshot", "seq"] })).toThrow("no wire field writes column(s) bid_px_1");
    expect(() => wireFields(FUTURES_TRADES).column("spread")).toThrow('no column "spread"');
    const wide: TableSchema = { name: "wide", tier: "bronze", sortKey: [], columns: Array.from({ length: 32 }, (_, i) => col(`c${i}`, "int32")) };
    expect(() => wireFields(wide)).toThrow("do not fit a 31-bit seen mask");
  });

  test("each decoder reports exactly the required fields a message lacks", () => {
    const cases: [string, string, string][] = [
      ["futures.trades", `{"ts_event_ns": 1765895400000000000, "source": "sim", "symbol": "ESH6", "aggressor": 1}`, "missing required fields price, size"],
      ["futures.mbp10", `{"ts_event_ns": 1765895400000000000, "source": "sim", "symbol": "ESH6"}`, "missing required field levels"],
      ["options.trades", `{"ts_event_ns": 1765895400000000000, "source": "sim", "underlying": "ES", "option_symbol": "X", "exp_date": "2026-01-16", "strike": 6800, "price": 1, "size": 1, "aggressor": 0}`, "missing required field right"],
    ];
    for (const [table, body, message] of cases) {
      const d = DECODERS.find((x) => x.table === table)!;
      const cur = new JsonCursor();
      cur.reset(new TextEncoder().encode(body));
      let err: unknown;
      try {
        d.decode(cur, new TableBuffer(d.schema, 2), new Partitions(d.prefix, d.keyName));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as Error).message).toBe(message);
    }
  });
});
