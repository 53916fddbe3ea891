import { useConsole } from '../state/context.js';

function hhmm(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/**
 * Full width, above everything, also when locked: while the alerting pipeline
 * is silent the console must never look like a quiet night. No PHI: times only.
 */
export function PipelineNotice() {
  const feedSince = useConsole((s) => s.status?.pipeline.feedSilentSince ?? null);
  const watchdogSince = useConsole((s) => s.status?.pipeline.watchdogSilentSince ?? null);
  if (!feedSince && !watchdogSince) return null;
  return (
    <div className="pipeline-notice" role="alert" data-testid="pipeline-notice">
      {feedSince && (
        <p>
          <strong>Not receiving alerts since {hhmm(feedSince)}</strong> — pages from the hospital's monitoring may be missing. Check the
          clinical systems directly, keep the Health view open (local checks still run), and call the on-call engineer if this lasts.
        </p>
      )}
      {watchdogSince && (
        <p>
          <strong>The hospital's alerting pipeline has been silent since {hhmm(watchdogSince)}</strong> — the relay stopped hearing its
          always-on Watchdog alert, so outages may not reach you. Ask the on-call engineer to check Prometheus and Alertmanager.
        </p>
      )}
    </div>
  );
}
