/**
 * Fault injection, one vocabulary for the connector and the key service: each calls its fault hook
 * at named points of its work (after a step is made durable, inside a risky one), and a test throws
 * InjectedCrash there to stop the service as a crash would: nothing after that point runs.
 */

/**
 * Not a FlareFlowError on purpose: it stands for a crash, which is nothing the project raised and
 * has no README section to help with it; only tests throw it.
 */
export class InjectedCrash extends Error {
  override readonly name = "InjectedCrash";
}

/** Called at each fault point with what the service is working on. */
export type FaultHook<Point extends string, Subject> = (point: Point, subject: Subject) => void;
