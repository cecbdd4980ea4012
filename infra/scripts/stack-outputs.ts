/**
 * Reading a deployed stack's outputs from the JSON that `cdk deploy --outputs-file` writes:
 * `{ "<stack name>": { "<output key>": "<value>", … } }`. Validated here, at the boundary.
 */
import { readFile } from 'node:fs/promises';

export type StackOutputs = Readonly<Record<string, string>>;

export class StackOutputsError extends Error {
  override readonly name = 'StackOutputsError';
}

/** The outputs of `stackName`, or of the only stack in the file when no name is given. */
export function parseStackOutputs(raw: unknown, stackName?: string): StackOutputs {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new StackOutputsError('the outputs file is not a JSON object of stacks');
  const stacks = Object.keys(raw);
  const name = stackName ?? (stacks.length === 1 ? stacks[0] : undefined);
  if (name === undefined)
    throw new StackOutputsError(`the outputs file has ${stacks.length} stacks (${stacks.join(', ')}); name one with --stack`);
  const outputs: unknown = Object.entries(raw).find(([key]) => key === name)?.[1];
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs))
    throw new StackOutputsError(`no outputs for stack ${name} (found: ${stacks.join(', ') || 'none'})`);
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(outputs)) {
    if (typeof value !== 'string') throw new StackOutputsError(`output ${key} of ${name} is not a string`);
    result[key] = value;
  }
  return result;
}

export function requireOutput(outputs: StackOutputs, key: string): string {
  const value = outputs[key];
  if (value === undefined || value === '') throw new StackOutputsError(`the stack has no output ${key}; deploy the current infra/ first`);
  return value;
}

export async function readStackOutputs(file: string, stackName?: string): Promise<StackOutputs> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new StackOutputsError(`cannot read ${file}; write it with: npx cdk deploy --outputs-file ${file}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new StackOutputsError(`${file} is not JSON`);
  }
  return parseStackOutputs(raw, stackName);
}

/** `--name value` flags → map; a flag given twice or without a value is an error. */
export function parseFlags(argv: readonly string[], allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    const value = argv[i + 1];
    const name = flag.replace(/^--/, '');
    if (!flag.startsWith('--') || !allowed.includes(name))
      throw new StackOutputsError(`unknown argument ${flag}; expected ${allowed.map((a) => `--${a}`).join(', ')}`);
    if (value === undefined || value.startsWith('--')) throw new StackOutputsError(`${flag} needs a value`);
    if (name in out) throw new StackOutputsError(`${flag} given twice`);
    out[name] = value;
  }
  return out;
}
