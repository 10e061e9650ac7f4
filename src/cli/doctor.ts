import { defineCommand } from "citty";
import { spawnWorker, workerUrl } from "../runtime/workers";
export default defineCommand({
  meta: { name: "doctor", hidden: true },
  async run() {
    console.log(Bun.main, import.meta.url, workerUrl("batch"));
    const w = spawnWorker("batch");
    const r = await new Promise((res, rej) => { w.onmessage = (e) => res(e.data); w.onerror = (e) => rej(e); w.postMessage("hi"); });
    console.log(r);
    w.terminate();
  },
});
