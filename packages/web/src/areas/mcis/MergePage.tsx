import { Button, Group, Radio, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { ApiProblem } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { MciPicker } from './MciPicker.tsx';
import { useMergeMci, type MciSetting } from './queries.ts';
import { otherRevisionLabel, SettingCell } from './SettingCell.tsx';

interface Conflict {
  key: string;
  kind: 'entry' | 'field';
  label: string;
  base: unknown;
  ours: unknown;
  theirs: unknown;
}

const isConflict = (err: unknown) => err instanceof ApiProblem && err.problem.code === 'merge_conflict';

function ConflictValue({ value, kind }: { value: unknown; kind: Conflict['kind'] }) {
  if (kind === 'entry') return <SettingCell s={(value as MciSetting | null) ?? null} />;
  return <Text size="sm">{value === null || value === undefined ? '—' : JSON.stringify(value)}</Text>;
}

/** R-VC-2: merge another revision into this HEAD; conflicts show base/ours/theirs and take a choice each. */
export function MergePage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const from = params.get('from');
  const [resolutions, setResolutions] = useState<Record<string, 'ours' | 'theirs'>>({});
  const [conflicts, setConflicts] = useState<Conflict[]>([]);
  const merge = useMergeMci(id);
  const run = () =>
    merge.mutate(
      { from: from!, resolutions },
      {
        onSuccess: () => navigate(`/mcis/${id}`),
        onError: (err) => {
          if (isConflict(err)) setConflicts(((err as ApiProblem).problem.conflicts as Conflict[]) ?? []);
        },
      },
    );
  const unresolved = conflicts.filter((c) => !resolutions[c.key]).length;
  return (
    <Stack>
      <Title order={2}>Merge into HEAD</Title>
      <Group align="end">
        <MciPicker
          label="Merge from"
          where={(m) => m.id !== id}
          labelOf={otherRevisionLabel}
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
          onClick={run}
        >
          {conflicts.length > 0 ? 'Apply with these choices' : 'Merge'}
        </Button>
      </Group>
      {merge.error && !isConflict(merge.error) && <ProblemAlert error={merge.error} />}
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
                  {([c.base, c.ours, c.theirs] as const).map((value, i) => (
                    <Table.Td key={i}>
                      <ConflictValue value={value} kind={c.kind} />
                    </Table.Td>
                  ))}
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
