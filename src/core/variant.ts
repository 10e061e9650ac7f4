/**
 * The two behaviours of the ES pipeline (es-pipeline §11): `reference` reproduces the
 * predecessor bit for bit, `corrected` applies the documented fixes.
 */
export type Variant = "reference" | "corrected";
