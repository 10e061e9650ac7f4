self.onmessage = async (e: MessageEvent) => {
  const { loadDuckDB } = await import("../src/runtime/duckdb-native");
  const d = await loadDuckDB();
  const inst = await d.DuckDBInstance.create(":memory:");
  const c = await inst.connect();
  const r = await c.runAndReadAll("select version() v");
  postMessage({ got: e.data, v: r.getRows()[0]![0], url: import.meta.url });
};
