import { readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { lineAt, parseYaml, readYamlFile, type YamlRead } from '../platform/yaml-file.js';
import { z } from 'zod';
import { SeveritySchema } from '../../shared/domain/alert.js';
import type { ContactBook, Runbook } from '../../shared/domain/runbook.js';

const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and - (max 64)');

const StepSchema = z
  .object({
    id: Id,
    title: z.string().min(1).max(200),
    kind: z.enum(['manual', 'probe', 'contact', 'decision'], { message: 'must be one of manual, probe, contact, decision' }),
    detail: z.string().max(2000).optional(),
    probe: z.string().max(64).optional(),
    contact: z.object({ group: z.string().max(80).optional(), level: z.number().int().min(1).max(9).optional() }).strict().optional(),
    options: z.array(z.string().min(1).max(40)).min(2).max(6).optional(),
    when: z.object({ step: Id, answer: z.string().min(1).max(40) }).strict().optional(),
    timeLimitMinutes: z.number().positive().max(1440).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind === 'probe' && !s.probe) ctx.addIssue({ code: 'custom', path: ['probe'], message: 'a probe step names the probe that verifies it' });
    if (s.kind === 'contact' && !s.contact) ctx.addIssue({ code: 'custom', path: ['contact'], message: 'a contact step names a group or an escalation level' });
    if (s.kind === 'decision' && !s.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'a decision step lists its answers' });
  });

export const RunbookSchema = z
  .object({
    id: Id,
    title: z.string().min(1).max(200),
    description: z.string().max(4000).default(''),
    appliesTo: z
      .object({ severities: z.array(SeveritySchema).default([]), categories: z.array(z.string().max(64)).default([]), auto: z.boolean().default(true) })
      .strict()
      .default({ severities: [], categories: [], auto: true }),
    steps: z.array(StepSchema).min(1).max(100),
  })
  .strict()
  .superRefine((r, ctx) => {
    const seen = new Map<string, number>();
    r.steps.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id ${s.id}` });
      if (s.when) {
        const target = r.steps.findIndex((t) => t.id === s.when!.step);
        if (target < 0 || target >= i) ctx.addIssue({ code: 'custom', path: ['steps', i, 'when', 'step'], message: `must name an earlier decision step` });
        else if (!r.steps[target]!.options?.includes(s.when.answer)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'when', 'answer'], message: `is not one of the answers of ${s.when.step}` });
      }
      seen.set(s.id, i);
    });
  });

/** One runbook file: the runbook, or one error naming the file, line, step and field. */
export function parseRunbook(text: string, file: string): { runbook?: Runbook; error?: string } {
  return runbookFrom(parseYaml(text, file), file);
}

function runbookFrom(read: YamlRead, file: string): { runbook?: Runbook; error?: string } {
  if (!read.ok) return { error: `E_RUNBOOK: ${read.error}` };
  const { value: raw, doc, counter } = read;
  const parsed = RunbookSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path as (string | number)[];
    let where = path.join('.') || '(file)';
    if (path[0] === 'steps' && typeof path[1] === 'number') {
      const stepId = (raw as { steps?: { id?: unknown }[] }).steps?.[path[1]]?.id;
      where = `step "${typeof stepId === 'string' ? stepId : `#${path[1] + 1}`}": ${path.slice(2).join('.') || 'step'}`;
    }
    return { error: `E_RUNBOOK: ${file}: line ${lineAt(doc, counter, path) ?? '?'}: ${where}: ${issue.message}` };
  }
  return { runbook: { ...parsed.data, source: file } };
}

export interface RunbookLoad {
  runbooks: Runbook[];
  errors: string[];
  /** files that could not be used: the caller keeps their last good runbooks */
  failedFiles: string[];
}

/**
 * Every *.yaml in the folders, later folders overriding earlier ones by id.
 * Broken files, a folder that is a file, files that are folders and two
 * runbooks with one id in one folder are errors naming the file and line.
 */
export function loadRunbooks(dirs: string[]): RunbookLoad {
  const byId = new Map<string, Runbook>();
  const errors: string[] = [];
  const failedFiles: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    let names: string[];
    try {
      if (!statSync(dir).isDirectory()) {
        errors.push(`E_RUNBOOK: ${dir}: line 1: not a folder (runbooks live in a folder of *.yaml files)`);
        failedFiles.push(dir);
        continue;
      }
      names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
    } catch (err) {
      errors.push(`E_RUNBOOK: ${dir}: line 1: cannot read the folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      failedFiles.push(dir);
      continue;
    }
    const inThisDir = new Map<string, string>();
    for (const name of names) {
      const file = join(dir, name);
      const { runbook, error } = runbookFrom(readYamlFile(file), file);
      if (error) {
        errors.push(error);
        failedFiles.push(file);
        continue;
      }
      const other = inThisDir.get(runbook!.id);
      if (other) {
        errors.push(`E_RUNBOOK: ${file}: line 1: id: "${runbook!.id}" is already the id of ${other}`);
        continue;
      }
      inThisDir.set(runbook!.id, file);
      byId.set(runbook!.id, runbook!);
    }
  }
  return { runbooks: [...byId.values()], errors, failedFiles };
}

const ContactSchema = z
  .object({
    name: z.string().min(1).max(120),
    role: z.string().max(120).optional(),
    phone: z.string().min(1).max(40),
    email: z.string().min(3).max(200),
    pager: z.string().min(1).max(40),
    availability: z.string().min(1).max(80),
    escalationTime: z.string().min(1).max(40),
  })
  .strict();

/** A person of the directory: whom a schedule can name. */
export const PersonSchema = z
  .object({
    name: z.string().min(1).max(120),
    phone: z.string().min(1).max(40),
    pager: z.string().min(1).max(40).optional(),
    email: z.string().min(3).max(200).optional(),
  })
  .strict();

export const ContactBookSchema = z
  .object({
    people: z.array(PersonSchema).default([]),
    groups: z.array(z.object({ name: z.string().min(1).max(80), contacts: z.array(ContactSchema).min(1) }).strict()).min(1),
    levels: z
      .array(z.object({ level: z.number().int().min(1).max(9), afterMinutes: z.number().positive(), description: z.string().min(1), contacts: z.array(z.string().min(1)).min(1), actions: z.array(z.string()).default([]) }).strict())
      .min(1),
  })
  .strict();

export function loadContactBook(file: string): { book?: ContactBook; error?: string } {
  const read = readYamlFile(file);
  if (!read.ok) return { error: `E_CONTACTS: ${read.error}` };
  const { value, doc, counter } = read;
  const parsed = ContactBookSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { error: `E_CONTACTS: ${file}: line ${lineAt(doc, counter, issue.path as (string | number)[]) ?? '?'}: ${issue.path.join('.')}: ${issue.message}` };
  }
  const names = new Map<string, number>();
  for (const [i, p] of parsed.data.people.entries()) {
    if (names.has(p.name)) return { error: `E_CONTACTS: ${file}: line ${lineAt(doc, counter, ['people', i]) ?? '?'}: people.${i}.name: "${p.name}" is listed twice` };
    names.set(p.name, i);
  }
  const seen = new Set<number>();
  for (const [i, l] of parsed.data.levels.entries()) {
    if (seen.has(l.level)) return { error: `E_CONTACTS: ${file}: line ${lineAt(doc, counter, ['levels', i]) ?? '?'}: levels.${i}.level: duplicate escalation level ${l.level}` };
    seen.add(l.level);
  }
  return { book: { ...parsed.data, source: file } };
}
