import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const IMPORT_RE = /(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]|(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
const DOM_GLOBALS_RE = /\b(window|document|localStorage|sessionStorage|navigator|HTMLElement|XMLHttpRequest)\s*[.[(]/;
const NODE_GLOBALS_RE = /\b(process|Buffer|__dirname|__filename|require)\s*[.([]/;
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

export interface Violation {
  file: string;
  rule: string;
  detail: string;
}

export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2])!);
  return out;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

export function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listSources(p));
    else if (/\.(ts|tsx|mts|cts)$/.test(name)) out.push(p);
  }
  return out;
}

/** The house's dependency rules (ARCHITECTURE.md), checked over a file's text. */
export function checkFile(root: string, file: string, source: string): Violation[] {
  const rel = relative(root, file).split(sep).join('/');
  const v: Violation[] = [];
  const imports = importsOf(source);
  const inShared = rel.startsWith('src/shared/');
  const inRenderer = rel.startsWith('src/renderer/');
  const inElectron = rel.startsWith('src/main/electron/');
  for (const spec of imports) {
    if (spec === 'electron' && !inElectron) v.push({ file: rel, rule: 'electron only under src/main/electron', detail: spec });
    if ((inShared || inRenderer) && BUILTINS.has(spec)) v.push({ file: rel, rule: 'no Node APIs in shared/renderer', detail: spec });
    if (inShared && /(^|\/)(main|renderer|relay)\//.test(spec)) v.push({ file: rel, rule: 'shared imports nothing from main, renderer or relay', detail: spec });
    if (inRenderer && /(^|\/)(main|relay)\//.test(spec)) v.push({ file: rel, rule: 'renderer talks to main only through the contract', detail: spec });
  }
  if (inShared) {
    const code = stripComments(source);
    const dom = DOM_GLOBALS_RE.exec(code);
    if (dom) v.push({ file: rel, rule: 'no DOM APIs in shared', detail: dom[1]! });
    const node = NODE_GLOBALS_RE.exec(code);
    if (node) v.push({ file: rel, rule: 'no Node APIs in shared', detail: node[1]! });
  }
  return v;
}

export function checkTree(root: string): Violation[] {
  return listSources(join(root, 'src')).flatMap((f) => checkFile(root, f, readFileSync(f, 'utf8')));
}
