// Handlers: the console's status (counts only, so a locked console answers it).
import type { ConsoleStatus } from '../../shared/domain/status.js';
import { open, type HandlerSlice } from '../platform/handlers.js';

export function statusHandlers(status: () => ConsoleStatus): HandlerSlice {
  return {
    'console.status': open(() => status()),
  };
}
