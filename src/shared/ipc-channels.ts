// Names of the Electron IPC channels, shared by preload and main. Kept apart
// from contract.ts so the sandboxed preload bundle stays tiny.
export const IPC_REQUEST_CHANNEL = 'contract:request';
export const IPC_EVENT_CHANNEL = 'contract:event';
