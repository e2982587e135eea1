import {
  Badge,
  Button,
  Group,
  Paper,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api, ApiProblem, unwrap, type Schemas } from '../api.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { Empty, Loading } from '../components/States.tsx';
import { useAccountId } from '../session.tsx';

type Setting = Schemas['MciSetting'];

/** Every MCI revision of the account, for picking the other side of a diff or merge. */
function useRevisionOptions(accountId: string) {
  return useQuery({
    queryKey: ['mci-revisions-all', accountId],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/mcis', { params: { path: { a: accountId }, query: { limit: 500 } } }),
      ).items.map((m) => ({
        value: m.id,
        label: `${m.name} — ${m.revision === 0 ? 'HEAD' : `r${m.revision}`}${m.commitMessage ? ` (${m.commitMessage})` : ''}`,
      })),
  });
}

function SettingCell({ s }: { s: Setting | null }) {
  if (!s) return <Text c="dimmed">—</Text>;
  return (
    <div>
      <Text size="sm">{s.imageName}</Text>
      <Text size="xs" ff="monospace" c="dimmed">
        {s.imageResourceUid} · {s.instanceTypeName}
        {s.userData ? ` · user data ${s.userData.length} B` : ''}
      </Text>
    </div>
  );
}

const CHANGE_COLOR = { added: 'green', removed: 'red', changed: 'yellow' } as const;

/** R-VC-1 side by side: what this revision changes relative to another one. */
export function MciDiff() {
  const { id = '' } = useParams();
  const accountId = useAccountId();
  const [params, setParams] = useSearchParams();
  const against = params.get('against');
  const options = useRevisionOptions(accountId);
  const diff = useQuery({
    queryKey: ['diff', id, against],
    enabled: Boolean(against),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/mcis/{id}/diff', {
          params: { path: { a: accountId, id }, query: { against: against! } },
        }),
      ),
  });
  return (
    <Stack>
      <Title order={2}>Compare revisions</Title>
      <Select
        label="Compare with"
        searchable
        data={(options.data ?? []).filter((o) => o.value !== id)}
        value={against}
        onChange={(v) => v && setParams({ against: v })}
        w={520}
      />
      {diff.error && <ProblemAlert error={diff.error} />}
      {!against ? (
        <Empty>Pick a revision to compare with.</Empty>
      ) : diff.isPending ? (
        <Loading what="the diff" />
      ) : diff.data ? (
        <Stack>
          <SimpleGrid cols={2}>
            <Paper withBorder p="sm">
              <Text fw={600}>
                {diff.data.from.name} ·{' '}
                {diff.data.from.revision === 0 ? 'HEAD' : `r${diff.data.from.revision}`}
              </Text>
            </Paper>
            <Paper withBorder p="sm">
              <Text fw={600}>
                {diff.data.to.name} · {diff.data.to.revision === 0 ? 'HEAD' : `r${diff.data.to.revision}`}
              </Text>
            </Paper>
          </SimpleGrid>
          {Object.entries(diff.data.fields).map(([field, change]) => (
            <Text key={field} size="sm">
              <Badge color="yellow" variant="light" mr="xs">
                {field}
              </Badge>
              {JSON.stringify(change?.from)} → {JSON.stringify(change?.to)}
            </Text>
          ))}
          {diff.data.clouds.length === 0 && Object.keys(diff.data.fields).length === 0 ? (
            <Empty>The two revisions are the same.</Empty>
          ) : (
            <Table aria-label="Diff">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Cloud</Table.Th>
                  <Table.Th>Change</Table.Th>
                  <Table.Th>
                    {diff.data.from.revision === 0 ? 'HEAD' : `r${diff.data.from.revision}`}
                  </Table.Th>
                  <Table.Th>{diff.data.to.revision === 0 ? 'HEAD' : `r${diff.data.to.revision}`}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {diff.data.clouds.map((c) => (
                  <Table.Tr key={c.cloudId} bg={`var(--mantine-color-${CHANGE_COLOR[c.change]}-light)`}>
                    <Table.Td>{c.cloudName}</Table.Td>
                    <Table.Td>
                      <Badge color={CHANGE_COLOR[c.change]}>{c.change}</Badge>
                    </Table.Td>
                    <Table.Td>
                      <SettingCell s={c.from} />
                    </Table.Td>
                    <Table.Td>
                      <SettingCell s={c.to} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      ) : null}
    </Stack>
  );
}

interface Conflict {
  key: string;
  kind: 'entry' | 'field';
  label: string;
  base: unknown;
  ours: unknown;
  theirs: unknown;
}

function ConflictValue({ value, kind }: { value: unknown; kind: Conflict['kind'] }) {
  if (kind === 'entry') return <SettingCell s={(value as Setting | null) ?? null} />;
  return <Text size="sm">{value === null || value === undefined ? '—' : JSON.stringify(value)}</Text>;
}

/** R-VC-2: merge another revision into this HEAD; conflicts show base/ours/theirs and take a choice each. */
export function MciMerge() {
  const { id = '' } = useParams();
  const accountId = useAccountId();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const from = params.get('from');
  const options = useRevisionOptions(accountId);
  const [resolutions, setResolutions] = useState<Record<string, 'ours' | 'theirs'>>({});
  const [conflicts, setConflicts] = useState<Conflict[]>([]);
  const merge = useMutation({
    mutationFn: async (res: Record<string, 'ours' | 'theirs'>) =>
      unwrap(
        await api.POST('/v1/accounts/{a}/mcis/{id}/merge', {
          params: { path: { a: accountId, id } },
          body: { from: from!, resolutions: res },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['mci', id] });
      navigate(`/mcis/${id}`);
    },
    onError: (err) => {
      if (err instanceof ApiProblem && err.problem.code === 'merge_conflict')
        setConflicts((err.problem.conflicts as Conflict[]) ?? []);
    },
  });
  const unresolved = conflicts.filter((c) => !resolutions[c.key]).length;
  return (
    <Stack>
      <Title order={2}>Merge into HEAD</Title>
      <Group align="end">
        <Select
          label="Merge from"
          searchable
          data={(options.data ?? []).filter((o) => o.value !== id)}
          value={from}
          onChange={(v) => {
            if (!v) return;
            setParams({ from: v });
            setConflicts([]);
            setResolutions({});
            merge.reset();
          }}
          w={520}
        />
        <Button
          disabled={!from || (conflicts.length > 0 && unresolved > 0)}
          loading={merge.isPending}
          onClick={() => merge.mutate(resolutions)}
        >
          {conflicts.length > 0 ? 'Apply with these choices' : 'Merge'}
        </Button>
      </Group>
      {merge.error &&
        !(merge.error instanceof ApiProblem && merge.error.problem.code === 'merge_conflict') && (
          <ProblemAlert error={merge.error} />
        )}
      {conflicts.length > 0 && (
        <Stack>
          <Text c="red" fw={600}>
            {conflicts.length} conflict(s): both sides changed these differently. Pick a side for each
            {unresolved > 0 ? ` (${unresolved} left)` : ''}.
          </Text>
          <Table aria-label="Conflicts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Conflict</Table.Th>
                <Table.Th>Base</Table.Th>
                <Table.Th>Ours (HEAD)</Table.Th>
                <Table.Th>Theirs</Table.Th>
                <Table.Th>Keep</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {conflicts.map((c) => (
                <Table.Tr key={c.key}>
                  <Table.Td>{c.label}</Table.Td>
                  <Table.Td>
                    <ConflictValue value={c.base} kind={c.kind} />
                  </Table.Td>
                  <Table.Td>
                    <ConflictValue value={c.ours} kind={c.kind} />
                  </Table.Td>
                  <Table.Td>
                    <ConflictValue value={c.theirs} kind={c.kind} />
                  </Table.Td>
                  <Table.Td>
                    <Radio.Group
                      value={resolutions[c.key] ?? null}
                      onChange={(v) => setResolutions({ ...resolutions, [c.key]: v as 'ours' | 'theirs' })}
                      aria-label={`Keep for ${c.label}`}
                    >
                      <Group>
                        <Radio value="ours" label="ours" />
                        <Radio value="theirs" label="theirs" />
                      </Group>
                    </Radio.Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Stack>
  );
}
