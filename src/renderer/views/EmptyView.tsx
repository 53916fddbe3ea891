export function EmptyView({ title, text }: { title: string; text: string }) {
  return (
    <section className="view" aria-labelledby={`view-${title}`}>
      <h1 id={`view-${title}`}>{title}</h1>
      <p className="empty">{text}</p>
    </section>
  );
}
