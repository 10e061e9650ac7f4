/**
 * FeatureManifest (contracts §4.2): parse from YAML, validate with zod (errors name the
 * field), serialise back in the exact block layout and key order of the predecessor.
 * Unknown keys are ignored with a warning (the predecessor's loader rejected them).
 */
import { z } from "zod";
import { LakeError } from "../errors";
import { log } from "../log";
import { toBlockYaml, YamlFloat, type YamlValue } from "./yaml";

const dateRange = z.object({ start: z.string(), end: z.string() });

/** Float parameters — written `2.0`, not `2` (PyYAML wrote Python floats). */
const FLOAT_PARAMS = new Set(["MONITOR_BAND", "TOUCH_BAND", "TAPE_BAND", "R_vac", "R_wall", "OUTCOME_THRESHOLD"]);

export const DEFAULT_PARAMETERS = {
  W_b: 240,
  W_t: 60,
  W_g: 60,
  MONITOR_BAND: 0.25,
  TOUCH_BAND: 0.1,
  TAPE_BAND: 0.5,
  R_vac: 0.3,
  R_wall: 1.5,
  CONFIRMATION_WINDOW_SECONDS: 240,
  SMA_WARMUP_DAYS: 3,
  LOOKFORWARD_MINUTES: 8,
  OUTCOME_THRESHOLD: 2.0,
} as const;

const int = (d: number) => z.number().int().nullable().default(d);
const num = (d: number) => z.number().nullable().default(d);

const parametersSchema = z.object({
  W_b: int(DEFAULT_PARAMETERS.W_b),
  W_t: int(DEFAULT_PARAMETERS.W_t),
  W_g: int(DEFAULT_PARAMETERS.W_g),
  MONITOR_BAND: num(DEFAULT_PARAMETERS.MONITOR_BAND),
  TOUCH_BAND: num(DEFAULT_PARAMETERS.TOUCH_BAND),
  TAPE_BAND: num(DEFAULT_PARAMETERS.TAPE_BAND),
  R_vac: num(DEFAULT_PARAMETERS.R_vac),
  R_wall: num(DEFAULT_PARAMETERS.R_wall),
  CONFIRMATION_WINDOW_SECONDS: int(DEFAULT_PARAMETERS.CONFIRMATION_WINDOW_SECONDS),
  SMA_WARMUP_DAYS: int(DEFAULT_PARAMETERS.SMA_WARMUP_DAYS),
  LOOKFORWARD_MINUTES: int(DEFAULT_PARAMETERS.LOOKFORWARD_MINUTES),
  OUTCOME_THRESHOLD: num(DEFAULT_PARAMETERS.OUTCOME_THRESHOLD),
  custom: z.record(z.string(), z.unknown()).default({}),
});

const featureGroupSchema = z.object({
  name: z.string(),
  description: z.string(),
  columns: z.array(z.string()),
  dependencies: z.array(z.string()).default([]),
});

const validationSchema = z.object({
  date_range: dateRange,
  signal_count: z.number().int().nonnegative(),
  feature_count: z.number().int().nonnegative(),
  null_rates: z.record(z.string(), z.number().min(0).max(1)),
  schema_hash: z.string().nullable().default(null),
});

const sourceSchema = z.object({
  layer: z.string().default("bronze"),
  schemas: z.array(z.string()).default([]),
  date_range: dateRange.nullable().default(null),
});

const manifestSchema = z.object({
  version: z.string().min(1),
  name: z.string(),
  description: z.string(),
  created_at: z.string(),
  created_by: z.string().default("pipeline"),
  source: sourceSchema.default({ layer: "bronze", schemas: [], date_range: null }),
  feature_groups: z.array(featureGroupSchema).default([]),
  parameters: parametersSchema.default(parametersSchema.parse({})),
  validation: validationSchema.nullable().default(null),
  parent_version: z.string().nullable().default(null),
  tags: z.array(z.string()).default([]),
  notes: z.string().default(""),
});

export type FeatureManifest = z.infer<typeof manifestSchema>;
export type ManifestParameters = FeatureManifest["parameters"];
export type ValidationMetrics = NonNullable<FeatureManifest["validation"]>;
export type FeatureGroup = FeatureManifest["feature_groups"][number];
export type ManifestInput = z.input<typeof manifestSchema>;

/** Known keys per nested object, for the unknown-key warning (walks the zod shapes). */
const KNOWN: Record<string, z.ZodObject<any>> = {
  "": manifestSchema,
  source: sourceSchema,
  "feature_groups[]": featureGroupSchema,
  parameters: parametersSchema,
  validation: validationSchema,
};

function warnUnknown(raw: Record<string, unknown>, where: string): void {
  const check = (obj: unknown, path: string, shape: z.ZodObject<any>) => {
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) return;
    for (const k of Object.keys(obj)) {
      if (!(k in shape.shape)) log.warn(`manifest: ignoring unknown key "${path ? path + "." : ""}${k}"`, { file: where });
    }
  };
  check(raw, "", KNOWN[""]!);
  check(raw.source, "source", KNOWN.source!);
  check(raw.parameters, "parameters", KNOWN.parameters!);
  check(raw.validation, "validation", KNOWN.validation!);
  if (Array.isArray(raw.feature_groups)) raw.feature_groups.forEach((g, i) => check(g, `feature_groups[${i}]`, KNOWN["feature_groups[]"]!));
}

/** Validate a plain object as a FeatureManifest; throws LakeError naming the bad field(s). */
export function manifestFromObject(raw: unknown, where = "manifest"): FeatureManifest {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new LakeError(`${where}: expected a YAML mapping at the top level`);
  warnUnknown(raw as Record<string, unknown>, where);
  // created_at may come back as a Date if some other writer left it unquoted
  const r = raw as Record<string, unknown>;
  if (r.created_at instanceof Date) r.created_at = r.created_at.toISOString();
  const res = manifestSchema.safeParse(raw);
  if (!res.success) {
    const msgs = res.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new LakeError(`${where} is invalid: ${msgs.join("; ")}`);
  }
  return res.data;
}

export function parseManifest(text: string, where = "manifest.yaml"): FeatureManifest {
  let raw: unknown;
  try {
    raw = Bun.YAML.parse(text);
  } catch (e) {
    throw new LakeError(`${where}: not valid YAML (${(e as Error).message})`);
  }
  return manifestFromObject(raw, where);
}

/** `parameters.to_dict`: null-valued entries removed, `custom` kept as-is (§4.2). */
export function parametersToDict(p: ManifestParameters): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

function toYamlValue(v: unknown): YamlValue {
  if (v === undefined) return null;
  if (v === null || typeof v === "string" || typeof v === "boolean" || typeof v === "number") return v;
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(toYamlValue);
  if (typeof v === "object") {
    const o: Record<string, YamlValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = toYamlValue(x);
    return o;
  }
  return String(v);
}

/** Serialise in the table order of §4.2 — the key order is part of the contract. */
export function serializeManifest(m: FeatureManifest): string {
  const params: Record<string, YamlValue> = {};
  for (const k of Object.keys(parametersSchema.shape)) {
    const v = (m.parameters as Record<string, unknown>)[k];
    params[k] = FLOAT_PARAMS.has(k) && typeof v === "number" ? new YamlFloat(v) : toYamlValue(v);
  }
  const validation: YamlValue = m.validation
    ? {
        date_range: { start: m.validation.date_range.start, end: m.validation.date_range.end },
        signal_count: m.validation.signal_count,
        feature_count: m.validation.feature_count,
        null_rates: Object.fromEntries(Object.entries(m.validation.null_rates).map(([k, v]) => [k, new YamlFloat(v)])),
        schema_hash: m.validation.schema_hash,
      }
    : null;
  return toBlockYaml({
    version: m.version,
    name: m.name,
    description: m.description,
    created_at: m.created_at,
    created_by: m.created_by,
    source: {
      layer: m.source.layer,
      schemas: [...m.source.schemas],
      date_range: m.source.date_range ? { start: m.source.date_range.start, end: m.source.date_range.end } : null,
    },
    feature_groups: m.feature_groups.map((g) => ({
      name: g.name,
      description: g.description,
      columns: [...g.columns],
      dependencies: [...g.dependencies],
    })),
    parameters: params,
    validation,
    parent_version: m.parent_version,
    tags: [...m.tags],
    notes: m.notes,
  });
}

/** Every manifest column in group/column order, duplicates kept (compare uses the set). */
export function manifestColumns(m: FeatureManifest): string[] {
  return m.feature_groups.flatMap((g) => g.columns);
}
