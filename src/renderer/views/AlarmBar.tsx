import { useConsole } from '../state/context.js';
import { useNow } from './useNow.js';

/**
 * One alarm, always in view: the worst unacknowledged incidents ("3 SEV1
 * unacknowledged — oldest 6 min"), whether or not the desktop notification
 * worked; acknowledging clears it; `g` goes to the oldest. Locked: counts only.
 */
export function AlarmBar() {
  const alarm = useConsole((s) => s.status?.alarm ?? null);
  const locked = useConsole((s) => s.status?.locked ?? false);
  const notificationFailed = useConsole((s) => s.banner?.fallback === true);
  const setView = useConsole((s) => s.setView);
  const select = useConsole((s) => s.selectIncident);
  const now = useNow();
  if (!alarm) return null;
  const minutes = Math.max(0, Math.floor((now - Date.parse(alarm.oldestOpenedAt)) / 60_000));
  const what = `${alarm.count} ${alarm.severity} unacknowledged — oldest ${minutes} min`;
  return (
    <div className={`page-banner sev-${alarm.severity}`} role={alarm.severity === 'SEV1' ? 'alert' : 'status'} data-testid="alarm-bar">
      <strong>{what}</strong>
      {locked ? (
        <span>Unlock the console to see and acknowledge {alarm.count === 1 ? 'it' : 'them'}.</span>
      ) : (
        <>
          {notificationFailed && <span>The desktop notification failed; this bar and the tone are the page.</span>}
          <span className="spacer" />
          <button
            type="button"
            title="g"
            onClick={() => {
              setView('incidents');
              void select(alarm.incidentId);
            }}
          >
            Go to the oldest (g)
          </button>
        </>
      )}
    </div>
  );
}
