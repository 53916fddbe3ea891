// Contract slice: the console's status (what the status bar and lock screen read).
import type { ConsoleStatus } from '../domain/status.js';
import { Empty, event, request } from './define.js';

export const consoleRequests = {
  'console.status': request<ConsoleStatus>()(Empty),
};

export const consoleEvents = {
  'status.changed': event<ConsoleStatus>(),
};
