/**
 * `-o/--output yaml|json|name` is a format, as in kubectl and argo; writing to a file is
 * `--output-file FILE`. Checked in the action rather than by commander, so that the old
 * `-o FILE` gets our message naming the new option.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { emit, type Io } from '../../core/io.js';
import { toYaml } from '../../generator/yaml.js';

export type OutputFormat = 'yaml' | 'json' | 'name';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['yaml', 'json', 'name'];

/** Adds `-o/--output FORMAT` (default yaml) and, unless `file` is false, `--output-file FILE`. */
export function addOutputOptions(command: Command, file = true): Command {
  command.option('-o, --output <format>', `output format: ${OUTPUT_FORMATS.join(', ')} (name: kind.group/name of each object, as kubectl -o name)`, 'yaml');
  if (file) command.option('--output-file <file>', 'write to FILE instead of stdout');
  return command;
}

/**
 * The `--output` format of the parsed options.
 * @param fileHint how the command writes to a file, for the message when FORMAT looks like a path
 * @throws UsageError for anything but yaml, json or name.
 */
export function outputFormatOf(options: Readonly<Record<string, unknown>>, fileHint = 'write to a file with --output-file FILE'): OutputFormat {
  const value = String(options.output ?? 'yaml');
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new UsageError(`-o/--output is the output format (${OUTPUT_FORMATS.join(', ')}), not "${value}"; ${fileHint}`);
}

interface Named {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly generateName?: string };
}

/** kubectl's `-o name` of an object: `kind.group/name` (`workflowtemplate.argoproj.io/dns-blackout`). */
export function nameOf(object: Named): string {
  const name = object.metadata?.name;
  const kind = (object.kind ?? '').toLowerCase();
  if (!name) {
    throw new UsageError(`-o name needs named objects; a ${object.kind ?? 'object'} with generateName "${object.metadata?.generateName ?? ''}" is named by the API server when it is created`);
  }
  const group = (object.apiVersion ?? '').includes('/') ? `.${object.apiVersion!.split('/')[0]}` : '';
  return `${kind}${group}/${name}`;
}

/**
 * The objects as text in `format`: YAML documents, JSON (one object, or a kubectl `List` of
 * several), or one `kind.group/name` line each.
 * @param yaml the objects' YAML as rendered, when it carries comments. @default toYaml(objects)
 * @throws UsageError for `name` when an object has only a generateName.
 */
export function formatObjects(objects: readonly unknown[], format: OutputFormat, yaml?: string): string {
  if (format === 'yaml') return yaml ?? toYaml(objects);
  if (format === 'name') return objects.map((o) => `${nameOf(o as Named)}\n`).join('');
  const value = objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Writes the objects in the options' format to `--output-file` or stdout.
 * @param yaml as for formatObjects
 * @throws UsageError.
 */
export function emitObjects(io: Io, objects: readonly unknown[], options: Readonly<Record<string, unknown>>, yaml?: string): void {
  const text = formatObjects(objects, outputFormatOf(options), yaml);
  emit(io, text, options.outputFile as string | undefined);
}
