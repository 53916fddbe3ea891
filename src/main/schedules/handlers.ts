// Handlers: the on-call board and overrides, attributed to the operator.
import type { OperatorSession } from '../operator/session.js';
import type { Clock } from '../../shared/clock.js';
import { unlocked, type HandlerSlice } from '../platform/handlers.js';
import type { ScheduleService } from './schedule-service.js';

export function scheduleHandlers(s: () => { schedules: ScheduleService; scheduleError: string | null; operator: OperatorSession }, clock: Clock): HandlerSlice {
  return {
    'schedules.board': unlocked(({ days }) => {
      const now = clock.now();
      const svc = s().schedules;
      return { at: new Date(now).toISOString(), roles: svc.board(now, days), people: svc.people(), error: s().scheduleError, warnings: [...svc.warnings] };
    }),
    'schedules.addOverride': unlocked((input) => s().schedules.addOverride(input, s().operator.operator)),
  };
}
