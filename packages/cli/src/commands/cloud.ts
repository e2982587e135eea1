import type { ApiClient } from '@mci/client';
import type { Command } from 'commander';
import { unwrap } from '../api.ts';
import type { CliContext } from '../context.ts';
import { ApiError, UsageError } from '../errors.ts';
import type { Run } from '../main.ts';
import { resolveCloud } from './catalog.ts';

interface JobView {
  id: string;
  kind: string;
  state: string;
  cloudId: string | null;
  accountId: string | null;
  progress: { done: number; total: number | null };
  phase: string;
  error: string | null;
  result: Record<string, unknown> | null;
  attempts: number;
  createdAt: string;
  finishedAt: string | null;
}

const JOB_FIELDS = {
  id: 'ID',
  kind: 'KIND',
  state: 'STATE',
  cloudId: 'CLOUD',
  accountId: 'ACCOUNT',
  progress: 'PROGRESS',
  phase: 'PHASE',
  error: 'ERROR',
  result: 'RESULT',
  attempts: 'ATTEMPTS',
  createdAt: 'CREATED',
  finishedAt: 'FINISHED',
};

function progressText(job: JobView): string {
  const { done, total } = job.progress;
  return total ? `${done}/${total}` : String(done);
}

/** A job as a row for people: progress as `done/total`. */
function row(job: JobView) {
  return { ...job, progress: progressText(job) };
}

async function getJob(client: ApiClient, id: string): Promise<JobView> {
  return unwrap(await client.GET('/v1/jobs/{id}', { params: { path: { id } } })) as JobView;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows a job until it ends: a progress bar on a terminal, a line per phase otherwise (and
 * nothing with --json). A failed job is exit 2 with its error.
 */
export async function waitForJob(ctx: CliContext, client: ApiClient, first: JobView, pollMs = 500) {
  let job = first;
  const bar = ctx.out.progress(`${job.kind} ${job.id}`, job.progress.total ?? undefined);
  const tty = Boolean(process.stderr.isTTY) && !ctx.out.json;
  let lastLine = '';
  try {
    while (job.state === 'queued' || job.state === 'running') {
      if (tty) bar.update(job.progress.done, job.progress.total ?? undefined);
      else {
        const line = `${job.state}${job.phase ? `: ${job.phase}` : ''} (${progressText(job)})`;
        if (line !== lastLine) ctx.out.info(line);
        lastLine = line;
      }
      await sleep(pollMs);
      job = await getJob(client, job.id);
    }
  } finally {
    bar.stop();
  }
  if (ctx.out.json) ctx.out.print(job);
  else ctx.out.print(row(job), JOB_FIELDS);
  if (job.state !== 'succeeded')
    throw new ApiError(200, {
      code: 'job_failed',
      detail: `job ${job.id} ${job.state}: ${job.error ?? 'no error given'}`,
    });
}

export function registerCloud(program: Command, run: Run): void {
  // One `cloud` group (another command file may add `cloud set` to it, or alias `clouds` as it).
  const cloud =
    program.commands.find((c) => c.name() === 'cloud' || c.aliases().includes('cloud')) ??
    program.command('cloud').description('a connected cloud: sync its catalog, change its settings');
  cloud
    .command('sync <cloud>')
    .description(
      'sync a cloud\'s catalog (by id or name, e.g. "AWS us-east-1"): the whole cloud (superuser), or with --own the current account\'s images',
    )
    .option('--own', "only the current account's own images (an admin of the account)")
    .option('--wait', 'follow the job until it ends (progress bar on a terminal); exit 2 when it fails')
    .action(
      run(async (ctx, ref: string, opts: { own?: boolean; wait?: boolean }) => {
        const client = ctx.client();
        const target = await resolveCloud(client, ref);
        const job = unwrap(
          await client.POST('/v1/clouds/{c}/sync', {
            params: { path: { c: target.id }, query: { accountId: opts.own ? ctx.account() : undefined } },
          }),
        ) as JobView;
        if (!opts.wait) {
          if (ctx.out.json) ctx.out.print(job);
          else {
            ctx.out.print(row(job), JOB_FIELDS);
            ctx.out.info(`follow it: mci job show ${job.id}  (or sync with --wait)`);
          }
          return;
        }
        if (!ctx.out.json) ctx.out.info(`sync of ${target.name}: job ${job.id}`);
        await waitForJob(ctx, client, job);
      }),
    );

  const jobs = program.command('job').description('durable jobs (syncs, reconciles)');
  jobs
    .command('show <id>')
    .description('a job: state, progress, phase, error, result')
    .option('--wait', 'follow it until it ends')
    .action(
      run(async (ctx, id: string, opts: { wait?: boolean }) => {
        const client = ctx.client();
        const job = await getJob(client, id);
        if (opts.wait) return waitForJob(ctx, client, job);
        ctx.out.print(ctx.out.json ? job : row(job), ctx.out.json ? undefined : JOB_FIELDS);
      }),
    );
  jobs
    .command('list')
    .description("jobs newest first: the current account's with --mine, a cloud's with --cloud")
    .option('--cloud <cloud>', 'a cloud (by id or name)')
    .option('--mine', "the current account's jobs")
    .option('--state <state>', 'queued, running, succeeded or failed')
    .option('--kind <kind>', 'cloud_sync, reconcile, …')
    .option('--limit <n>', 'how many', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`not a positive integer: ${v}`);
      return n;
    })
    .action(
      run(
        async (
          ctx,
          opts: { cloud?: string; mine?: boolean; state?: string; kind?: string; limit?: number },
        ) => {
          const client = ctx.client();
          const cloudId = opts.cloud ? (await resolveCloud(client, opts.cloud)).id : undefined;
          const page = unwrap(
            await client.GET('/v1/jobs', {
              params: {
                query: {
                  cloudId,
                  accountId: opts.mine ? ctx.account() : undefined,
                  state: opts.state as 'queued',
                  kind: opts.kind,
                  limit: opts.limit ?? 20,
                },
              },
            }),
          );
          if (ctx.out.json) return ctx.out.print(page);
          ctx.out.print((page.items as JobView[]).map(row), {
            id: 'ID',
            kind: 'KIND',
            state: 'STATE',
            cloudId: 'CLOUD',
            accountId: 'ACCOUNT',
            progress: 'PROGRESS',
            createdAt: 'CREATED',
          });
        },
      ),
    );
}
