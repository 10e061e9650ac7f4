/** `flattenLevelSignals(payload)`: one levels.signals payload → Gold rows (contracts §3.2). */
import type { Frame } from "../../../frame";
import { JsonCursor } from "./cursor";
import { levelSignalsDecoder } from "./level-signals";
import { Partitions } from "./partitions";
import { TableBuffer } from "./table-buffer";
import { toWireJson } from "./wire-json";

const enc = new TextEncoder();

export function payloadBytes(payload: unknown): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  return enc.encode(typeof payload === "string" ? payload : toWireJson(payload));
}

/** Throws DecodeError (with the reason) when the payload is invalid; all-or-nothing. */
export function flattenLevelSignals(payload: unknown): Frame {
  const buf = new TableBuffer(levelSignalsDecoder.schema, 16);
  const cur = new JsonCursor();
  cur.reset(payloadBytes(payload));
  const rows = levelSignalsDecoder.decode(cur, buf, new Partitions(levelSignalsDecoder.prefix, levelSignalsDecoder.keyName));
  buf.n = rows;
  return buf.frame(Uint32Array.from({ length: rows }, (_, i) => i));
}
