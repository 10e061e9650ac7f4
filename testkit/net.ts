// The loopback helpers live in src/core/net.ts (lake demo uses them too).
export { canConnect, freePort, waitForListening } from "../src/core/net";
