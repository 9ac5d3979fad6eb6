import type { PricingConfig } from "../../../src/pricing";
import { durationText, unitsTimeText } from "../format";
import { DIRECTION_WORDS, describeChanges, priceDirection } from "../schedule";
import type { ScheduledPricing } from "../services/flowClient";

/**
 * Announced pricing versions, each against the version in force (the mirror's comparison): when
 * it applies, whether it raises or lowers prices, and what changes.
 */
export function AnnouncedChanges({ inForce, pending }: { inForce: PricingConfig; pending: readonly ScheduledPricing[] }) {
  const notice = inForce.noticePeriod;
  return (
    <section className="announcements" aria-label="Announced pricing changes" data-testid="announcements">
      <h3>Announced pricing changes</h3>
      {pending.length === 0 ? (
        <p className="muted small">None: the prices below stay in force until a change is announced.</p>
      ) : (
        <ul>
          {pending.map((version) => {
            const direction = priceDirection(inForce, version);
            const changes = describeChanges(inForce, version);
            return (
              <li key={version.version.toString()} data-testid="announcement" data-version={version.version.toString()} data-direction={direction}>
                Version {version.version.toString()} applies from <strong>{unitsTimeText(version.effectiveFrom)}</strong> (announced{" "}
                {unitsTimeText(version.announcedAt)}): <span className={`direction-${direction}`}>{DIRECTION_WORDS[direction]}</span>
                {changes.length > 0 && <span className="muted"> — {changes.join("; ")}</span>}.
              </li>
            );
          })}
        </ul>
      )}
      <p className="muted small">
        Usage is priced by the version in force when its usage window started.
        {notice !== undefined && ` A change that raises any price applies only ${durationText(notice)} after it is announced;`} a change that
        raises none applies from the next usage window.
      </p>
    </section>
  );
}
