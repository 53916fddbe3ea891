// Where the console keeps its files: the default data folder per OS and the
// names of the files in it. A leaf: Node only.
import { homedir } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';

export const APP_DIR_NAME = 'medical-ai-oncall-console';
/** The console's SQLite database in the data folder. */
export const DATABASE_FILE = 'console.db';

/** The per-user data folder: %APPDATA% on Windows, Application Support on macOS, $XDG_DATA_HOME (or ~/.local/share) elsewhere. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return join(env.XDG_DATA_HOME && env.XDG_DATA_HOME.length > 0 ? env.XDG_DATA_HOME : join(home, '.local', 'share'), APP_DIR_NAME);
}

/** A bundled resource, from the source tree, the built bundle, or the packaged app. */
export function resourcePath(name: string): string {
  const candidates = [resolvePath(__dirname, '../../resources', name), resolvePath(__dirname, '../../../resources', name), resolvePath(process.cwd(), 'resources', name)];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}
