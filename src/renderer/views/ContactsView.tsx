import { useEffect, useState } from 'react';
import { CopyValue } from './CopyValue.js';
import { useConsole } from '../state/context.js';
import type { Contact } from '../../shared/domain/runbook.js';
import { OnCallBoard } from './OnCallBoard.js';

export function ContactCard({ contact }: { contact: Contact }) {
  return (
    <div className="contact" data-testid="contact">
      <strong>{contact.name}</strong> {contact.role && <span className="muted">{contact.role}</span>}
      <div className="contact-ways">
        <CopyValue label="☎" value={contact.phone} />
        <CopyValue label="pager" value={contact.pager} />
        <CopyValue label="✉" value={contact.email} />
      </div>
      <div className="muted">
        {contact.availability} · escalate after {contact.escalationTime}
      </div>
    </div>
  );
}

export function ContactsView() {
  const book = useConsole((s) => s.contacts.book);
  const error = useConsole((s) => s.contacts.error);
  const load = useConsole((s) => s.loadContacts);
  const [q, setQ] = useState('');
  useEffect(() => {
    void load();
  }, [load]);
  const match = (c: Contact) => !q || `${c.name} ${c.role ?? ''} ${c.email}`.toLowerCase().includes(q.toLowerCase());
  return (
    <section className="view" aria-labelledby="view-contacts">
      <div className="view-header">
        <h1 id="view-contacts">Contacts</h1>
        <input aria-label="Search contacts" placeholder="Search" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      {error && (
        <div className="config-errors" role="alert">
          {error}
        </div>
      )}
      <OnCallBoard />
      {book && (
        <div className="contacts-grid">
          {book.groups.map((g) => {
            const list = g.contacts.filter(match);
            return list.length === 0 ? null : (
              <section key={g.name} aria-label={g.name}>
                <h3>{g.name}</h3>
                {list.map((c) => (
                  <ContactCard key={c.name} contact={c} />
                ))}
              </section>
            );
          })}
          <section aria-label="Escalation matrix">
            <h3>Escalation matrix</h3>
            {book.levels.map((l) => (
              <div key={l.level} className="level">
                <strong>
                  Level {l.level} · after {l.afterMinutes} min
                </strong>{' '}
                {l.description}
                <div>{l.contacts.join(', ')}</div>
                <div className="muted">{l.actions.join(' · ')}</div>
              </div>
            ))}
          </section>
        </div>
      )}
    </section>
  );
}
