/**
 * The footer of a lake-written file read for decoding and nothing else: row count, key-value
 * metadata and, per row group and column, where the chunk is and how it is compressed. Every
 * other field (statistics, encodings, paths, offsets of indexes) is stepped over, and the
 * schema is compared as raw bytes against one already checked: an hour of flush files repeats
 * the same schema bytes thousands of times.
 */
import { ThriftReader } from "./thrift";

export interface FooterGroup {
  rows: number;
  /** Per column: codec, first page offset, compressed size (3 numbers each). */
  chunks: Float64Array;
}

export interface Footer {
  numRows: number;
  kv: Record<string, string>;
  groups: FooterGroup[];
}

/** A schema check: the schema list at reader position (its elements) matches, or not. */
export interface SchemaCheck {
  /** Raw bytes of a schema list that passed `check` (set by readFooter). */
  known?: Uint8Array;
  check(r: ThriftReader): boolean;
}

const utf8 = new TextDecoder();
const T_LIST = 9;
const T_STRUCT = 12;

/** The footer starting at `pos`, or null when its schema fails `schema.check` (or row groups disagree with it). */
export function readFooter(bytes: Uint8Array, pos: number, columns: number, schema: SchemaCheck): Footer | null {
  const r = new ThriftReader(bytes, pos);
  let numRows = 0;
  let schemaOk = false;
  const kv: Record<string, string> = {};
  const groups: FooterGroup[] = [];
  let shapeOk = true;
  r.fields((field, type) => {
    // Schema (field 2) comes first: a file not of this table's shape is only stepped over.
    if (!schemaOk && field !== 2) return false;
    if (field === 2 && type === T_LIST) {
      const start = r.pos;
      r.skip(type);
      if (schema.known && sameBytes(schema.known, bytes, start, r.pos)) schemaOk = true;
      else {
        const end = r.pos;
        r.pos = start;
        schemaOk = schema.check(r);
        r.pos = end;
        if (schemaOk) schema.known = bytes.slice(start, end);
      }
      return true;
    }
    if (field === 3 && type === 6) {
      numRows = r.zigzag();
      return true;
    }
    if (field === 4 && type === T_LIST) {
      const n = r.list();
      for (let i = 0; i < n; i++) {
        const g = readGroup(r, columns);
        if (g) groups.push(g);
        else shapeOk = false;
      }
      return true;
    }
    if (field === 5 && type === T_LIST) {
      const n = r.list();
      for (let i = 0; i < n; i++) {
        let k = "";
        let v = "";
        r.fields((f, t) => {
          if (t !== 8 || (f !== 1 && f !== 2)) return false;
          const len = r.varint();
          const s = utf8.decode(bytes.subarray(r.pos, r.pos + len));
          r.pos += len;
          if (f === 1) k = s;
          else v = s;
          return true;
        });
        kv[k] = v;
      }
      return true;
    }
    return false;
  });
  return schemaOk && shapeOk ? { numRows, kv, groups } : null;
}

/** A row group, or null when its column count is not the schema's. */
function readGroup(r: ThriftReader, columns: number): FooterGroup | null {
  const chunks = new Float64Array(columns * 3).fill(-1);
  let rows = 0;
  let ci = 0;
  r.fields((field, type) => {
    if (field === 1 && type === T_LIST) {
      const n = r.list();
      for (let i = 0; i < n; i++, ci++) {
        r.fields((f, t) => {
          if (f !== 3 || t !== T_STRUCT) return false;
          let dataPage = -1;
          let dictPage = -1;
          r.fields((m, mt) => {
            if (ci >= columns || (m !== 4 && m !== 7 && m !== 9 && m !== 11)) return false;
            if (mt !== 5 && mt !== 6) throw new Error("unexpected Thrift type in ColumnMetaData");
            const v = r.zigzag();
            if (m === 4) chunks[ci * 3] = v;
            else if (m === 7) chunks[ci * 3 + 2] = v;
            else if (m === 9) dataPage = v;
            else dictPage = v;
            return true;
          });
          if (ci < columns) chunks[ci * 3 + 1] = dictPage >= 0 ? dictPage : dataPage;
          return true;
        });
      }
      return true;
    }
    if (field === 3 && type === 6) {
      rows = r.zigzag();
      return true;
    }
    return false;
  });
  return ci === columns ? { rows, chunks } : null;
}

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[start + i]) return false;
  return true;
}
