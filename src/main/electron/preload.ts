// Sandboxed preload: exposes only the contract's client, never ipcRenderer.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../shared/ipc-channels.js';

contextBridge.exposeInMainWorld('oncall', {
  request: (name: string, input: unknown): Promise<unknown> => ipcRenderer.invoke(IPC_REQUEST_CHANNEL, name, input),
  onEvent: (listener: (name: string, payload: unknown) => void): (() => void) => {
    const forward = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
    };
  },
});
