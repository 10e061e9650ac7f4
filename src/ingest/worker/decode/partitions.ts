/**
 * Partition directories of one batch (contracts §2.1, §3.1):
 * `{tier}/{schema_path}/{key}={value}/date=YYYY-MM-DD/hour=HH`, with date and hour the UTC
 * of the event time computed from the integer epoch second (never a float division, §9 D-5).
 * Ids are small integers stored per row; the last lookup is cached because consecutive
 * messages almost always share a partition.
 */
import { isSafeSegment } from "../../../core/keys";
import { formatEpochDay } from "../../../core/time/calendar";
import { DecodeError } from "./cursor";

export interface PartitionInfo {
  readonly dir: string;
  readonly value: string;
  readonly date: string;
  readonly hour: string;
}

export class Partitions {
  readonly list: PartitionInfo[] = [];
  private readonly ids = new Map<string, number>();
  private lastValue = "";
  private lastHour = -1;
  private lastId = -1;

  constructor(readonly prefix: string, readonly keyName: string) {}

  /** Partition id for a key value and an hour index (= floor(epochSeconds / 3600)). */
  id(value: string, hourIndex: number): number {
    if (value === this.lastValue && hourIndex === this.lastHour) return this.lastId;
    const k = value + "|" + hourIndex;
    let id = this.ids.get(k);
    if (id === undefined) {
      // Same allow-list as the storage layer (§9 D-9): no `/`, no `..`, no empty values.
      if (!isSafeSegment(value)) throw new DecodeError(`${this.keyName} ${JSON.stringify(value)} is not a safe partition value`);
      if (this.list.length >= 65535) throw new DecodeError("too many partitions in one batch");
      const date = formatEpochDay(Math.floor(hourIndex / 24));
      const h = hourIndex - Math.floor(hourIndex / 24) * 24;
      const hour = h < 10 ? `0${h}` : String(h);
      id = this.list.length;
      this.list.push({ dir: `${this.prefix}/${this.keyName}=${value}/date=${date}/hour=${hour}`, value, date, hour });
      this.ids.set(k, id);
    }
    this.lastValue = value;
    this.lastHour = hourIndex;
    this.lastId = id;
    return id;
  }

  clear(): void {
    this.list.length = 0;
    this.ids.clear();
    this.lastValue = "";
    this.lastHour = -1;
    this.lastId = -1;
  }
}
