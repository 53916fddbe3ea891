// The Electron security checklist, checked from the source itself.

/** What every BrowserWindow's webPreferences must say. */
export const REQUIRED_WEB_PREFERENCES: Record<string, boolean> = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
};

/** Problems in the window options source (empty when hardened). */
export function checkWindowOptions(source: string): string[] {
  const block = /webPreferences:\s*\{([\s\S]*?)\}/.exec(source)?.[1];
  if (!block) return ['no webPreferences block found'];
  const problems: string[] = [];
  for (const [key, want] of Object.entries(REQUIRED_WEB_PREFERENCES)) {
    const m = new RegExp(`\\b${key}\\s*:\\s*(true|false)\\b`).exec(block);
    if (!m) problems.push(`webPreferences.${key} is not set (must be ${want})`);
    else if ((m[1] === 'true') !== want) problems.push(`webPreferences.${key} is ${m[1]} (must be ${want})`);
  }
  if (/\bpreload\s*:/.test(block) === false) problems.push('webPreferences.preload is missing');
  return problems;
}

/** Problems in the Electron main process source (empty when hardened). */
export function checkMainProcess(source: string): string[] {
  const problems: string[] = [];
  const windows = source.match(/new BrowserWindow\(([^)]*)\)/g) ?? [];
  if (windows.length === 0) problems.push('no BrowserWindow is created');
  for (const w of windows) if (!w.includes('secureWindowOptions(')) problems.push(`a window is made without secureWindowOptions: ${w}`);
  const must: [RegExp, string][] = [
    [/setWindowOpenHandler\(\(\)\s*=>\s*\(\{\s*action:\s*'deny'\s*\}\)\)/, 'window.open is not refused (setWindowOpenHandler → deny)'],
    [/on\('will-navigate',\s*\(event\)\s*=>\s*event\.preventDefault\(\)\)/, 'navigation is not refused (will-navigate → preventDefault)'],
    [/on\('will-attach-webview',\s*\(event\)\s*=>\s*event\.preventDefault\(\)\)/, 'webviews are not refused'],
    [/setPermissionRequestHandler\(\([^)]*\)\s*=>\s*callback\(false\)\)/, 'permission requests are not denied'],
    [/'Content-Security-Policy':\s*\[RENDERER_CSP\]/, 'the CSP header is not set'],
    [/if \(!trustedSender\(event\)\)/, 'IPC does not check the sender'],
    [/return dispatch\(handlers, name, input/, 'IPC does not go through dispatch (input validation)'],
    [/requestSingleInstanceLock\(\)/, 'no single-instance lock'],
  ];
  for (const [re, why] of must) if (!re.test(source)) problems.push(why);
  if (/ipcMain\.on\(/.test(source)) problems.push('ipcMain.on bypasses the validated invoke channel');
  return problems;
}
