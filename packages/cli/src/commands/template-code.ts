import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';

/** Pushes right_st YAML files (filled in once the right_st module lands). */
export async function pushTemplates(_ctx: CliContext, _files: string[], _dryRun: boolean): Promise<void> {
  throw new UsageError('template push is not available yet');
}

export async function pullTemplate(_ctx: CliContext, _id: string, _output?: string): Promise<void> {
  throw new UsageError('template pull is not available yet');
}
