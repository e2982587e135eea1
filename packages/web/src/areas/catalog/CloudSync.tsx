import { Alert, Button, Group, Progress, Stack, Table, Text } from '@mantine/core';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { useSession } from '../session/session.tsx';
import { useCloud, useLatestSync, useRecentSyncs, useSyncNow, type Job } from './sync.ts';

function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

function summary(job: Job): string {
  const r = (job.result ?? {}) as Record<string, number | undefined>;
  const parts = (['added', 'updated', 'deprecated', 'retired'] as const)
    .filter((k) => (r[k] ?? 0) > 0)
    .map((k) => `${r[k]} ${k}`);
  return parts.length > 0 ? parts.join(', ') : 'no change';
}

/**
 * A connected cloud's sync (R-CLD-3, R-JOB-1): when it last synced, the running sync's progress
 * (followed while it runs), and for the superuser a "Sync now" button.
 */
export function CloudSync({ cloudId }: { cloudId: string | null }) {
  const { me } = useSession();
  const cloud = useCloud(cloudId);
  const latest = useLatestSync(cloudId);
  const syncNow = useSyncNow(cloudId);
  const recent = useRecentSyncs(cloudId, latest.data);
  if (!cloud.data || cloud.data.driver === 'none') return null;
  const job = latest.data ?? null;
  const running = job !== null && (job.state === 'queued' || job.state === 'running');
  const { done, total } = job?.progress ?? { done: 0, total: null };
  return (
    <Stack gap={6} aria-label="Cloud sync">
      <Group gap="md">
        <Text size="sm" c="dimmed">
          Driver {cloud.data.driver} · last synced {when(cloud.data.lastSyncedAt)}
        </Text>
        {me.user.isSuperuser && (
          <Button
            size="xs"
            variant="light"
            onClick={() => syncNow.mutate()}
            loading={syncNow.isPending}
            disabled={running}
          >
            Sync now
          </Button>
        )}
      </Group>
      {syncNow.error && <ProblemAlert error={syncNow.error} />}
      {running && (
        <Stack gap={2} maw={480}>
          <Text size="sm" aria-label="Sync progress">
            {job.state === 'queued' ? 'Sync queued…' : `Syncing: ${job.phase || 'starting'}`} — {done}
            {total ? ` of ${total}` : ''} images
          </Text>
          <Progress
            value={total ? Math.min(100, (100 * done) / total) : 100}
            animated
            striped={!total}
            aria-label="Sync progress bar"
          />
        </Stack>
      )}
      {job && job.state === 'succeeded' && (
        <Text size="sm" aria-label="Last sync">
          Last sync succeeded {when(job.finishedAt)}: {summary(job)}.
        </Text>
      )}
      {job && job.state === 'failed' && (
        <Alert color="red" title="Last sync failed" maw={640}>
          {job.error}
        </Alert>
      )}
      {(recent.data?.length ?? 0) > 1 && (
        <Table aria-label="Recent syncs" maw={720} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Started</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Images</Table.Th>
              <Table.Th>Changes</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {recent.data!.map((j) => (
              <Table.Tr key={j.id}>
                <Table.Td>{when(j.startedAt ?? j.createdAt)}</Table.Td>
                <Table.Td>{j.state}</Table.Td>
                <Table.Td>{j.progress.done}</Table.Td>
                <Table.Td>{j.state === 'succeeded' ? summary(j) : (j.error ?? '')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
