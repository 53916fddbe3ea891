// Reading a YAML config file so that no byte in it can stop the console:
// the wrong kind of file, a huge one, broken syntax and alias bombs all become
// one error naming the file and line; aliases resolve everywhere.
import { readFileSync, statSync } from 'node:fs';
import { isMap, LineCounter, parseDocument, type Document, type Node } from 'yaml';

export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Far above what a hand-written config uses; a "billion laughs" needs millions. */
export const MAX_ALIAS_COUNT = 1000;

export type YamlRead = { ok: true; value: unknown; doc: Document.Parsed; counter: LineCounter } | { ok: false; error: string };

/** Parse YAML text; `where` names the file in errors. */
export function parseYaml(text: string, where: string): YamlRead {
  const counter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true, merge: true });
  } catch (err) {
    return { ok: false, error: `${where}: cannot parse (${(err as Error).message.split('\n')[0]})` };
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    return { ok: false, error: `${where}: line ${counter.linePos(e.pos[0]).line}: invalid YAML (${e.message.split('\n')[0]})` };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown, doc, counter };
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0]!;
    return { ok: false, error: `${where}: line 1: ${/alias/i.test(msg) ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}): refused as a possible alias bomb` : msg}` };
  }
}

/** Read and parse a config file: a regular file of at most 1 MiB, or one error. */
export function readYamlFile(file: string): YamlRead {
  try {
    const st = statSync(file);
    if (!st.isFile()) return { ok: false, error: `${file}: line 1: not a regular file (${st.isDirectory() ? 'a directory' : 'a special file'})` };
    if (st.size > MAX_CONFIG_BYTES) return { ok: false, error: `${file}: line 1: ${st.size} bytes, more than the ${MAX_CONFIG_BYTES} a config file may hold` };
    return parseYaml(readFileSync(file, 'utf8'), file);
  } catch (err) {
    return { ok: false, error: `${file}: line 1: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
}

/** The line of the deepest node on `path` that the document has (1 when none). */
export function lineAt(doc: Document.Parsed, counter: LineCounter, path: readonly PropertyKey[]): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : isMap(doc.contents) ? doc.contents.getIn(path.slice(0, n) as unknown[], true) : null) as Node | null | undefined;
    const start = node?.range?.[0];
    if (start !== undefined) return counter.linePos(start).line;
  }
  return null;
}
