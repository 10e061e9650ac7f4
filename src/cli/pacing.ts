/**
 * Publishing to NATS from the CLI (`lake simulate --to nats`, `lake replay`): the pacing
 * flags, their parsing, and opening the publisher with a note about streams it created.
 */
import type { ArgsDef } from "citty";
import { progress } from "../log";
import { parsePositive, parseSpeed } from "../sim/pace";
import { openPublisher, type Publisher } from "../sim/publish";

/** `--speed/--rate/--in-flight`; `scope` prefixes the help text when they apply to one mode only. */
export function pacingArgs(scope?: string) {
  const help = (text: string) => (scope ? `${scope}: ${text}` : text);
  return {
    speed: { type: "string", description: help("pacing in event time: 1x, 10x, max (default max)") },
    rate: { type: "string", description: help("pacing: at most this many messages/s") },
    "in-flight": { type: "string", description: help("publishes awaiting acks (default 8192)") },
  } as const satisfies ArgsDef;
}

export interface Pacing {
  speed: number | undefined;
  rate: number | undefined;
  inFlight: number | undefined;
}

export function parsePacing(args: Record<string, unknown>): Pacing {
  return {
    speed: parseSpeed(args.speed as string | undefined),
    rate: parsePositive("rate", args.rate as string | undefined),
    inFlight: parsePositive("in-flight", args["in-flight"] as string | undefined),
  };
}

/** Connect (creating missing Bronze/Gold streams) and say on stderr which streams were created. */
export async function openCliPublisher(natsUrl: string, replicas = 1): Promise<Publisher> {
  const pub = await openPublisher(natsUrl, replicas);
  if (pub.createdStreams.length) progress(`created streams: ${pub.createdStreams.join(", ")}`);
  return pub;
}
