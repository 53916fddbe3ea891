/** A request's error, announced to screen readers; nothing when there is none. */
export function ErrorLine({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p className="bad" role="alert">
      {error}
    </p>
  );
}
