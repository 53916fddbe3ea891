/** A time as the value of an `<input type="datetime-local">`: local wall time to the minute. */
export function toLocalInput(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
