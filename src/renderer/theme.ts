// Light, dark and night (dim) themes: "auto" follows the system's
// prefers-color-scheme and its changes; the choice is kept on this
// workstation. The theme is a data-theme attribute the stylesheet reads.
export const THEMES = ['auto', 'light', 'dark', 'dim'] as const;
export type ThemeChoice = (typeof THEMES)[number];

const KEY = 'maoc.theme';
const media = () => window.matchMedia('(prefers-color-scheme: light)');

export function storedTheme(): ThemeChoice {
  try {
    const v = window.localStorage.getItem(KEY);
    return (THEMES as readonly string[]).includes(v ?? '') ? (v as ThemeChoice) : 'auto';
  } catch {
    return 'auto';
  }
}

let stopFollowing: (() => void) | null = null;

/** Apply a choice (and keep it); "auto" keeps following the system. */
export function applyTheme(choice: ThemeChoice): void {
  stopFollowing?.();
  stopFollowing = null;
  const set = () => {
    document.documentElement.dataset.theme = choice === 'auto' ? (media().matches ? 'light' : 'dark') : choice;
  };
  set();
  if (choice === 'auto') {
    const m = media();
    m.addEventListener('change', set);
    stopFollowing = () => m.removeEventListener('change', set);
  }
  try {
    window.localStorage.setItem(KEY, choice);
  } catch {
    // private mode: the choice lasts this session
  }
}
