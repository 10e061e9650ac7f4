/**
 * A minimal Thrift compact-protocol reader for Parquet footers and page headers. A struct
 * becomes an array indexed by field id; i64 becomes a Number (sizes, offsets and counts
 * stay far below 2^53; statistics are binary), binary a `Bin` (positions in the input, read
 * only when asked: most binaries of a footer are statistics nobody here needs). Much less
 * work per field than a general reader that builds named objects, views and BigInts, which is
 * what a read of thousands of one-page files pays for.
 */
export type TStruct = unknown[];

/** A binary field: bytes [start, end) of the reader's input. */
export class Bin {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
}

export class ThriftReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
  }

  varint(): number {
    const b = this.buf;
    let result = 0;
    let mul = 1;
    for (;;) {
      const x = b[this.pos++]!;
      if (x === undefined) throw new Error("truncated Thrift varint");
      result += (x & 0x7f) * mul;
      if (x < 0x80) return result;
      mul *= 128;
    }
  }

  zigzag(): number {
    const n = this.varint();
    return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
  }

  /** The bytes of a binary field. */
  bytes(b: Bin): Uint8Array {
    return this.buf.subarray(b.start, b.end);
  }

  struct(): TStruct {
    const out: TStruct = [];
    let field = 0;
    for (;;) {
      const h = this.buf[this.pos++]!;
      if (h === undefined) throw new Error("truncated Thrift struct");
      if (h === 0) return out;
      const delta = h >> 4;
      field = delta === 0 ? this.zigzag() : field + delta;
      out[field] = this.value(h & 0x0f);
    }
  }

  /**
   * Walk a struct's fields: `visit` reads a field it wants and returns true; any other is
   * stepped over without building anything.
   */
  fields(visit: (field: number, type: number) => boolean): void {
    let field = 0;
    for (;;) {
      const h = this.buf[this.pos++]!;
      if (h === undefined) throw new Error("truncated Thrift struct");
      if (h === 0) return;
      const delta = h >> 4;
      field = delta === 0 ? this.zigzag() : field + delta;
      if (!visit(field, h & 0x0f)) this.skip(h & 0x0f);
    }
  }

  /** A list header: its element count; `listType` is then the elements' compact type. */
  list(): number {
    const h = this.buf[this.pos++]!;
    this.listType = h & 0x0f;
    return h >> 4 === 15 ? this.varint() : h >> 4;
  }
  listType = 0;

  /** Step over a value of compact type `type`. */
  skip(type: number): void {
    switch (type) {
      case 1:
      case 2:
        return;
      case 3:
        this.pos++;
        return;
      case 4:
      case 5:
      case 6:
        this.varint();
        return;
      case 7:
        this.pos += 8;
        return;
      case 8: {
        const n = this.varint(); // before the +=, which would read pos ahead of the varint
        this.pos += n;
        return;
      }
      case 9:
      case 10: {
        const h = this.buf[this.pos++]!;
        const size = h >> 4 === 15 ? this.varint() : h >> 4;
        const et = h & 0x0f;
        if (et === 1 || et === 2) this.pos += size;
        else for (let i = 0; i < size; i++) this.skip(et);
        return;
      }
      case 11: {
        const size = this.varint();
        if (size === 0) return;
        const kv = this.buf[this.pos++]!;
        for (let i = 0; i < size; i++) {
          this.skip(kv >> 4);
          this.skip(kv & 0x0f);
        }
        return;
      }
      case 12:
        for (;;) {
          const h = this.buf[this.pos++]!;
          if (h === undefined) throw new Error("truncated Thrift struct");
          if (h === 0) return;
          if (h >> 4 === 0) this.zigzag();
          this.skip(h & 0x0f);
        }
      default:
        throw new Error(`unknown Thrift compact type ${type}`);
    }
  }

  value(type: number): unknown {
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return (this.buf[this.pos++]! << 24) >> 24;
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7:
        this.pos += 8;
        return 0;
      case 8: {
        const n = this.varint();
        const v = new Bin(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case 9:
      case 10: {
        const h = this.buf[this.pos++]!;
        const size = h >> 4 === 15 ? this.varint() : h >> 4;
        const et = h & 0x0f;
        const out = new Array<unknown>(size);
        for (let i = 0; i < size; i++) out[i] = et === 1 || et === 2 ? this.buf[this.pos++] === 1 : this.value(et);
        return out;
      }
      case 11: {
        const size = this.varint();
        if (size === 0) return new Map();
        const kv = this.buf[this.pos++]!;
        const m = new Map<unknown, unknown>();
        for (let i = 0; i < size; i++) m.set(this.value(kv >> 4), this.value(kv & 0x0f));
        return m;
      }
      case 12:
        return this.struct();
      default:
        throw new Error(`unknown Thrift compact type ${type}`);
    }
  }
}
