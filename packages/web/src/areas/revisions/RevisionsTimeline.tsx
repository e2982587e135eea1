import { Anchor, Text, Timeline } from '@mantine/core';
import { Link } from 'react-router-dom';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Loading } from '../../ui/States.tsx';
import type { RevisionEntry } from './revision.ts';

/** A lineage's history, HEAD first; each entry opens that revision, the one shown in bold. */
export function RevisionsTimeline({
  revisions,
  currentId,
  hrefOf,
}: {
  revisions: { data?: RevisionEntry[]; error: unknown };
  currentId: string;
  hrefOf(id: string): string;
}) {
  if (revisions.error) return <ProblemAlert error={revisions.error} />;
  if (!revisions.data) return <Loading what="revisions" />;
  return (
    <Timeline bulletSize={18} lineWidth={2} aria-label="Revisions">
      {revisions.data.map((r) => (
        <Timeline.Item
          key={r.id}
          title={
            <Anchor component={Link} to={hrefOf(r.id)} fw={r.id === currentId ? 700 : 500}>
              {r.revision === 0 ? 'HEAD' : `Revision ${r.revision}`}
            </Anchor>
          }
        >
          <Text size="sm">{r.commitMessage ?? 'uncommitted changes'}</Text>
          {r.committedAt && (
            <Text size="xs" c="dimmed">
              {new Date(r.committedAt).toLocaleString()} · {r.committedBy}
            </Text>
          )}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
