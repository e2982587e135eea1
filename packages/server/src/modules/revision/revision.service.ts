import {
  assertEditable,
  assertVersion,
  authorizeAccount,
  decodeNameIdCursor,
  mergeBaseId,
  NotFoundError,
  planClone,
  provenanceAfterMerge,
  resolveMerge,
  toPage,
  type MergeConflict,
  type Page,
  type Principal,
  type Warning,
} from '@mci/core';
import { marketplaceRepository, type Executor, type RevisionBase } from '@mci/db';
import type { AppContext } from '../../context.ts';
import { mutate, userIdOf, type UnitOfWork } from '../../unit-of-work.ts';
import type { CommitInput, RevisionKind } from './revision.kind.ts';

export interface HeadFields {
  name: string;
  description: string;
  tags: string[];
}

export type FieldPatch = Partial<HeadFields>;

export interface MergeInput {
  from: string;
  resolutions: Record<string, 'ours' | 'theirs'>;
}

/** What a HEAD content edit (a setting, a link) did, for the audit trail and the answer. */
export interface HeadEdit<T> {
  action: string;
  summary: string;
  warnings?: Warning[];
  value?: T;
}

export type WithWarnings<R> = R & { warnings: Warning[] };

/**
 * The revision kernel: every verb MCIs and ServerTemplates share (create HEAD, edit HEAD with
 * If-Match, commit with consecutive numbers, clone, revisions, reads of published revisions,
 * diff and merge skeletons, the delete guard), written once over a kind descriptor.
 */
export function revisionService<R extends RevisionBase, V>(kind: RevisionKind<R, V>) {
  const audit = (uow: UnitOfWork, r: { id: string; accountId: string }, verb: string, summary: string) =>
    uow.audit({
      accountId: r.accountId,
      targetType: kind.name,
      targetId: r.id,
      action: `${kind.auditPrefix}.${verb}`,
      summary,
    });

  async function find(db: Executor, id: string): Promise<R | undefined> {
    return (await kind.findMany(db, [id]))[0];
  }

  async function reload(db: Executor, id: string): Promise<R> {
    return (await find(db, id))!;
  }

  /** A revision of the account, or 404 (another account's revisions are never revealed). */
  async function requireOwn(db: Executor, accountId: string, id: string): Promise<R> {
    const r = await find(db, id);
    if (!r || r.accountId !== accountId) throw new NotFoundError(kind.notFoundLabel, id);
    return r;
  }

  /** A revision the account can read: its own, or one published to it (ADR 005); else 404. */
  async function requireReadable(db: Executor, accountId: string, id: string): Promise<R> {
    const r = await find(db, id);
    if (
      r &&
      (r.accountId === accountId || (await marketplaceRepository.sourceVisibleTo(db, id, accountId)))
    ) {
      return r;
    }
    throw new NotFoundError(kind.notFoundLabel, id);
  }

  /**
   * The account's editable HEAD (R-MCI-4), locked for the transaction so that the If-Match
   * check and the write cannot interleave with a concurrent edit of the same HEAD.
   */
  async function editableHead(
    tx: Executor,
    principal: Principal,
    accountId: string,
    id: string,
    expected: number | undefined,
  ): Promise<R> {
    authorizeAccount(principal, accountId, kind.writeAction);
    const row = await kind.store.lockRow(tx, id);
    if (!row || row.accountId !== accountId) throw new NotFoundError(kind.notFoundLabel, id);
    assertEditable(row, kind.label);
    assertVersion(row, expected);
    return reload(tx, id);
  }

  /** R-MCI-5 / R-ST-4: commits HEAD as revision max+1, an exact copy; HEAD's base moves to it. */
  async function commitIn(uow: UnitOfWork, head: R, input: CommitInput): Promise<WithWarnings<R>> {
    assertEditable(head, kind.label);
    const warnings = await kind.prepareCommit(uow, head, input);
    const { tx } = uow;
    const revision = await kind.store.nextRevisionNumber(tx, head.lineageId);
    const id = await kind.store.insertRevision(tx, {
      lineageId: head.lineageId,
      revision,
      accountId: head.accountId,
      name: head.name,
      description: head.description,
      tags: head.tags,
      commitMessage: input.message,
      committedBy: userIdOf(uow.actor),
      committedAt: uow.now,
      baseRevision: head.baseRevision,
      clonedFrom: head.clonedFrom,
    });
    await kind.copyContent(tx, head.id, id);
    await kind.store.updateRevision(tx, head.id, { baseRevision: revision });
    audit(
      uow,
      { id, accountId: head.accountId },
      'commit',
      `committed ${kind.label} "${head.name}" as revision ${revision}: ${input.message}`,
    );
    return { ...(await reload(tx, id)), warnings };
  }

  /** Finds the merge base of HEAD and `from` (R-VC-2), loading the revisions it needs. */
  async function loadBase(db: Executor, head: R, from: R): Promise<R | null> {
    const revisions = await kind.store.revisions(db, head.lineageId);
    const provenance = await kind.store.findRows(
      db,
      [head.clonedFrom, from.clonedFrom].filter((x): x is string => Boolean(x)),
    );
    const baseId = mergeBaseId(
      head,
      from,
      (lineageId, revision) =>
        lineageId === head.lineageId ? revisions.find((r) => r.revision === revision)?.id : undefined,
      (id) => provenance.find((r) => r.id === id)?.lineageId,
    );
    return baseId ? ((await find(db, baseId)) ?? null) : null;
  }

  /** Creates a lineage and its HEAD inside a unit of work; `fill` adds the content. */
  async function createIn(
    uow: UnitOfWork,
    accountId: string,
    fields: HeadFields,
    fill: (uow: UnitOfWork, head: R) => Promise<Warning[]>,
  ): Promise<WithWarnings<R>> {
    const lineageId = await kind.store.insertLineage(uow.tx, accountId);
    const id = await kind.store.insertRevision(uow.tx, { lineageId, revision: 0, accountId, ...fields });
    const warnings = await fill(uow, await reload(uow.tx, id));
    audit(uow, { id, accountId }, 'create', `created ${kind.label} "${fields.name}"`);
    return { ...(await reload(uow.tx, id)), warnings };
  }

  /** Records that a HEAD changed inside a unit of work: bumps its version (ETag) and audits. */
  async function touch(uow: UnitOfWork, head: R, verb: string, summary: string): Promise<void> {
    await kind.store.updateRevision(uow.tx, head.id, {});
    audit(uow, head, verb, summary);
  }

  /**
   * A content edit of the HEAD (a setting, a link): checks role, R-MCI-4 and If-Match, runs
   * `work`, bumps the HEAD's version and audits what `work` says it did.
   */
  async function editHead<T>(
    ctx: AppContext,
    principal: Principal,
    accountId: string,
    id: string,
    expected: number | undefined,
    work: (uow: UnitOfWork, head: R) => Promise<HeadEdit<T>>,
  ): Promise<{ head: WithWarnings<R>; value: T | undefined }> {
    return mutate(ctx, principal, async (uow) => {
      const head = await editableHead(uow.tx, principal, accountId, id, expected);
      const edit = await work(uow, head);
      await touch(uow, head, edit.action, edit.summary);
      return { head: { ...(await reload(uow.tx, id)), warnings: edit.warnings ?? [] }, value: edit.value };
    });
  }

  return {
    kind,
    find,
    requireOwn,
    requireReadable,
    editableHead,
    editHead,
    createIn,
    touch,
    commitIn,

    /** Creates a lineage and its HEAD; `fill` adds the content (settings, links) in the same unit. */
    async create(
      ctx: AppContext,
      principal: Principal,
      accountId: string,
      fields: HeadFields,
      fill: (uow: UnitOfWork, head: R) => Promise<Warning[]>,
    ): Promise<WithWarnings<R>> {
      authorizeAccount(principal, accountId, kind.writeAction);
      return mutate(ctx, principal, (uow) => createIn(uow, accountId, fields, fill));
    },

    /** Any revision the account can read (its own or published to it). */
    async get(ctx: AppContext, principal: Principal, accountId: string, id: string): Promise<R> {
      authorizeAccount(principal, accountId, 'account.read');
      return requireReadable(ctx.db, accountId, id);
    },

    async list(
      ctx: AppContext,
      principal: Principal,
      accountId: string,
      query: {
        limit: number;
        cursor?: string;
        q?: string;
        lineageId?: string;
        revision?: number;
        cloudId?: string;
      },
    ): Promise<Page<R>> {
      authorizeAccount(principal, accountId, 'account.read');
      const after = decodeNameIdCursor(query.cursor);
      const rows = await kind.list(ctx.db, { ...query, accountId, after });
      return toPage(rows, query.limit, (r) => [r.name, r.id]);
    },

    /** Renames, describes or tags the HEAD (If-Match). */
    async update(
      ctx: AppContext,
      principal: Principal,
      accountId: string,
      id: string,
      patch: FieldPatch,
      expected?: number,
    ): Promise<R> {
      return mutate(ctx, principal, async (uow) => {
        const head = await editableHead(uow.tx, principal, accountId, id, expected);
        await kind.store.updateRevision(uow.tx, id, patch);
        const what = Object.keys(patch).join(', ');
        audit(uow, head, 'update', `changed ${what} of ${kind.label} "${head.name}"`);
        return reload(uow.tx, id);
      });
    },

    /** `editHead` for edits that answer the HEAD alone (most of them). */
    async edit(
      ctx: AppContext,
      principal: Principal,
      accountId: string,
      id: string,
      expected: number | undefined,
      work: (uow: UnitOfWork, head: R) => Promise<HeadEdit<never>>,
    ): Promise<WithWarnings<R>> {
      return (await editHead(ctx, principal, accountId, id, expected, work)).head;
    },

    async commit(
      ctx: AppContext,
      principal: Principal,
      accountId: string,
      id: string,
      input: CommitInput,
    ): Promise<WithWarnings<R>> {
      authorizeAccount(principal, accountId, kind.writeAction);
      return mutate(ctx, principal, async (uow) =>
        commitIn(uow, await requireOwn(uow.tx, accountId, id), input),
      );
    },

    /** R-MCI-6: copies any readable revision (published ones too) into a new, editable lineage. */
    async clone(
      ctx: AppContext,
      principal: Principal,
      accountId: string,
      id: string,
      input: { name: string; description?: string },
    ): Promise<R> {
      authorizeAccount(principal, accountId, kind.writeAction);
      return mutate(ctx, principal, async (uow) => {
        const source = await requireReadable(uow.tx, accountId, id);
        await kind.checkIncoming(uow.tx, accountId, source);
        const lineageId = await kind.store.insertLineage(uow.tx, accountId);
        const cloneId = await kind.store.insertRevision(uow.tx, {
          lineageId,
          accountId,
          ...planClone(source, input),
        });
        await kind.copyContent(uow.tx, source.id, cloneId);
        const summary = `cloned ${kind.label} "${source.name}" r${source.revision} as "${input.name}"`;
        audit(uow, { id: cloneId, accountId }, 'clone', summary);
        return reload(uow.tx, cloneId);
      });
    },

    async revisions(ctx: AppContext, principal: Principal, accountId: string, id: string) {
      authorizeAccount(principal, accountId, 'account.read');
      const r = await requireReadable(ctx.db, accountId, id);
      return { items: await kind.store.revisions(ctx.db, r.lineageId), nextCursor: null };
    },

    /** Deletes the whole lineage, unless the kind's guard (R-MCI-7) refuses. */
    async remove(ctx: AppContext, principal: Principal, accountId: string, id: string): Promise<void> {
      authorizeAccount(principal, accountId, kind.writeAction);
      await mutate(ctx, principal, async (uow) => {
        const r = await requireOwn(uow.tx, accountId, id);
        await kind.assertDeletable(uow.tx, r);
        await kind.store.deleteLineage(uow.tx, r.lineageId);
        audit(uow, r, 'delete', `deleted ${kind.label} "${r.name}" and all its revisions`);
      });
    },

    /** R-VC-1: the two revisions of a diff, both readable by the account. */
    async diffPair(ctx: AppContext, principal: Principal, accountId: string, id: string, against: string) {
      authorizeAccount(principal, accountId, 'account.read');
      const to = await requireReadable(ctx.db, accountId, id);
      const from = await requireReadable(ctx.db, accountId, against);
      return { from, to, names: kind.entryNames(from, to) };
    },

    /**
     * R-VC-2: merges any readable revision into the HEAD `id`, all or nothing, writing only
     * HEAD; what comes from theirs is checked again by the kind (`applyMerge`).
     */
    async merge(
      ctx: AppContext,
      principal: Principal,
      accountId: string,
      id: string,
      input: MergeInput,
      expected?: number,
    ) {
      return mutate(ctx, principal, async (uow) => {
        const head = await editableHead(uow.tx, principal, accountId, id, expected);
        const theirs = await requireReadable(uow.tx, accountId, input.from);
        const base = await loadBase(uow.tx, head, theirs);
        const names = kind.entryNames(base, head, theirs);
        const m = kind.mergeSnapshots(base, head, theirs, names);
        const describe = (c: MergeConflict<V>) => ({
          key: c.key,
          kind: c.kind,
          label: c.kind === 'entry' ? (names.get(c.key) ?? c.key) : c.key,
          base: c.base ?? null,
          ours: c.ours ?? null,
          theirs: c.theirs ?? null,
        });
        const merged = resolveMerge(
          m,
          kind.snapshot(head),
          kind.snapshot(theirs),
          input.resolutions,
          describe,
        );
        const warnings = await kind.applyMerge(uow, head, theirs, merged);
        await kind.store.updateRevision(uow.tx, head.id, {
          name: merged.name,
          description: merged.description,
          tags: merged.tags,
          ...provenanceAfterMerge(head, theirs, base),
        });
        const summary = `merged ${theirs.name} r${theirs.revision} (${theirs.id}) into the HEAD of "${head.name}"`;
        audit(uow, head, 'merge', summary);
        return {
          ...(await reload(uow.tx, head.id)),
          warnings,
          merge: {
            baseId: base?.id ?? null,
            fromTheirs: [
              ...m.fromTheirs,
              ...Object.keys(input.resolutions).filter((key) => input.resolutions[key] === 'theirs'),
            ],
            resolved: input.resolutions,
          },
        };
      });
    },
  };
}

export type RevisionService<R extends RevisionBase, V> = ReturnType<typeof revisionService<R, V>>;
