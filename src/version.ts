import pkg from "../package.json";
/** The lake version, recorded in every file's metadata and every manifest's lineage. */
export const LAKE_VERSION: string = pkg.version;
