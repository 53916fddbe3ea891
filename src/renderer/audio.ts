// The page tone, through WebAudio.
import type { Severity } from '../shared/domain/alert.js';

/**
 * A short tone through WebAudio: no sound file to ship, nothing for the CSP to
 * allow. One AudioContext for the page (making one is slow), and at most one
 * tone a second however many pages arrive.
 */
let audio: AudioContext | null = null;
let lastTone = 0;

/**
 * Make the AudioContext on the person's first click or key press: browsers let
 * audio play only after a user gesture, and making it then keeps that cost off
 * the paging path.
 */
export function primeAudioOnFirstGesture(): void {
  const prime = () => {
    try {
      audio ??= new AudioContext();
      void audio.resume();
    } catch {
      // no audio device: the banner still shows
    }
  };
  window.addEventListener('pointerdown', prime, { once: true, capture: true });
  window.addEventListener('keydown', prime, { once: true, capture: true });
}

export function beep(severity: Severity): void {
  const now = Date.now();
  if (now - lastTone < 1000) return;
  lastTone = now;
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    osc.frequency.value = severity === 'SEV1' ? 880 : 660;
    osc.connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + (severity === 'SEV1' ? 0.6 : 0.25));
  } catch {
    // audio can be unavailable (no device, autoplay policy): the banner still shows
  }
}

