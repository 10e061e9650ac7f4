// `import path from "./x.so" with { type: "file" }` yields the file's path (an embedded
// /$bunfs path inside the compiled binary): see src/runtime/duckdb-embed.ts.
declare module "*.so" {
  const path: string;
  export default path;
}
