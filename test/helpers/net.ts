// The loopback helpers live in src/util/net.ts (lake demo uses them too).
export { canConnect, freePort, waitForListening } from "../../src/util/net";
