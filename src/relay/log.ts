// How the relay writes its log lines (JSON lines on stderr in main.ts).
export interface RelayLog {
  (level: 'info' | 'warn' | 'error', code: string, message: string): void;
}
