// SQL fragments with their parameters kept together: `sql` tags a template
// (each interpolated value becomes a `?` parameter; a nested fragment is
// inlined with its own parameters), `where` joins the conditions that apply.
// Identifiers and keywords never come from values, so nothing a caller passes
// can change the statement's shape.

export interface Fragment {
  readonly text: string;
  readonly params: unknown[];
}

export function isFragment(v: unknown): v is Fragment {
  return typeof v === 'object' && v !== null && 'text' in v && 'params' in v && Array.isArray((v as Fragment).params);
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  let text = strings[0]!;
  const params: unknown[] = [];
  values.forEach((v, i) => {
    if (isFragment(v)) {
      text += v.text;
      params.push(...v.params);
    } else {
      text += '?';
      params.push(v);
    }
    text += strings[i + 1]!;
  });
  return { text, params };
}

/** `WHERE a AND b …` over the conditions given (false, null and undefined are skipped); empty when none apply. */
export function where(...conditions: (Fragment | false | null | undefined)[]): Fragment {
  const kept = conditions.filter((c): c is Fragment => isFragment(c));
  if (kept.length === 0) return { text: '', params: [] };
  return { text: `WHERE ${kept.map((c) => c.text).join(' AND ')}`, params: kept.flatMap((c) => c.params) };
}
