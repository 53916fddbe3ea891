// A value to read out or copy (a number, a pager, a mailbox): one click copies it.
import { useState } from 'react';

export function CopyValue({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // no clipboard permission: the value is on screen to read out
    }
  };
  return (
    <button type="button" className="copy" title={`Copy ${label}`} onClick={() => void copy()}>
      {label} {value} {copied ? '✓ copied' : ''}
    </button>
  );
}
