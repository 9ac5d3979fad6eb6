/**
 * Fault injection, one vocabulary for the connector and the key service: each calls its fault hook
 * at named points of its work (after a step is made durable, inside a risky one), and a test throws
 * InjectedCrash there to stop the service as a crash would: nothing after that point runs.
 */

export class InjectedCrash extends Error {
  override readonly name = "InjectedCrash";
}

/** Called at each fault point with what the service is working on. */
export type FaultHook<Point extends string, Subject> = (point: Point, subject: Subject) => void;
