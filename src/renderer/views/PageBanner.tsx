import { useConsole } from '../state/context.js';

/** Shown when the OS notification failed: the in-app fallback page. PHI-free text only. */
export function PageBanner() {
  const banner = useConsole((s) => s.banner);
  const dismiss = useConsole((s) => s.dismissBanner);
  const setView = useConsole((s) => s.setView);
  const select = useConsole((s) => s.selectIncident);
  const locked = useConsole((s) => s.status?.locked ?? false);
  if (!banner) return null;
  if (locked) {
    // locked: say that there is a page, not what it is about
    return (
      <div className={`page-banner sev-${banner.severity}`} role="alert" data-testid="page-banner">
        <strong>{banner.severity} page</strong>
        <span>Unlock the console to see it.</span>
      </div>
    );
  }
  return (
    <div className={`page-banner sev-${banner.severity}`} role="alert" data-testid="page-banner">
      <strong>{banner.title}</strong>
      <span>{banner.message}</span>
      <span className="spacer" />
      <button
        type="button"
        onClick={() => {
          setView('incidents');
          void select(banner.incidentId);
          dismiss();
        }}
      >
        Open incident
      </button>
      <button type="button" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
