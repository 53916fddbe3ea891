// Contract slice: who is on call per role, and overrides added at a console.
import { z } from 'zod';
import type { Person, RoleBoard, ScheduleOverride } from '../domain/schedule.js';
import { event, IsoTime, request } from './define.js';

export interface OnCallBoard {
  at: string;
  roles: RoleBoard[];
  /** the directory's people, for the override form */
  people: Person[];
  /** why schedules.yaml is not in use as written (null: it is, or there is none) */
  error: string | null;
  /** calendar problems (people the directory does not know) */
  warnings: string[];
}

export const scheduleRequests = {
  'schedules.board': request<OnCallBoard>()(z.object({ days: z.number().int().min(1).max(14).default(7) }).strict()),
  /** "I take the night": an engineer or admin puts someone on call for a role, above the schedule */
  'schedules.addOverride': request<ScheduleOverride>()(
    z
      .object({
        role: z.string().trim().min(1).max(120),
        person: z.string().trim().min(1).max(120),
        start: IsoTime,
        end: IsoTime,
        reason: z.string().trim().min(3, 'give a reason of at least 3 characters').max(200),
      })
      .strict()
      .refine((o) => Date.parse(o.end) > Date.parse(o.start), { message: 'must be after start', path: ['end'] }),
  ),
};

export const scheduleEvents = {
  /** an override was added here or arrived from another console */
  'schedules.changed': event<{ role: string }>(),
};
