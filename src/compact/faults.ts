/**
 * Test-only crash injection for the compaction protocol, behind
 * LAKE_TEST_FAULTS=compact-kill=<step>[#n] (src/core/test-faults.ts): SIGKILL the process right
 * after that step, so a test can prove every step is a safe place to die.
 */
import { testFaults, type CompactKillStep, type SwitchKillStep } from "../core/test-faults";

export type FaultStep = CompactKillStep;

let reached = 0;

export function faultPoint(step: FaultStep): void {
  const kill = testFaults().compactKill;
  if (kill && kill.step === step && ++reached >= kill.at) process.kill(process.pid, "SIGKILL");
}

let switchReached = 0;

/** The same for a day switch, behind LAKE_TEST_FAULTS=switch-kill=<step>[#n]. */
export function switchFaultPoint(step: SwitchKillStep): void {
  const kill = testFaults().switchKill;
  if (kill && kill.step === step && ++switchReached >= kill.at) process.kill(process.pid, "SIGKILL");
}
