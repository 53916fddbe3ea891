// Slice: the in-app page (banner and tone) when the OS notification failed.
import type { Severity } from '../../shared/domain/alert.js';
import type { PageEvent } from '../../shared/domain/incident.js';
import type { SliceCreator } from './slice.js';

/** The tone a page plays; the renderer's entry point passes the WebAudio one (src/renderer/audio.ts). */
export type Tone = (severity: Severity) => void;

export interface PagingSlice {
  banner: PageEvent | null;
  onPage(page: PageEvent): void;
  dismissBanner(): void;
}

/** The tone a page plays; the renderer's entry point passes the WebAudio one (src/renderer/audio.ts). */

export const createPagingSlice = (tone: Tone): SliceCreator<PagingSlice> => (set) => ({
  banner: null,
  onPage(page) {
    // The OS notification carries the page; when it failed, the console itself must be loud.
    if (page.fallback) {
      set({ banner: page });
      tone(page.severity);
    }
  },
  dismissBanner: () => set({ banner: null }),
});
