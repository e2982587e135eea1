import { Badge, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useParams, useSearchParams } from 'react-router-dom';
import { revisionLabel } from '../../ui/labels.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { MciPicker } from './MciPicker.tsx';
import { useMciDiff } from './queries.ts';
import { otherRevisionLabel, SettingCell } from './SettingCell.tsx';

const CHANGE_COLOR = { added: 'green', removed: 'red', changed: 'yellow' } as const;

/** R-VC-1 side by side: what this revision changes relative to another one. */
export function DiffPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const against = params.get('against');
  const diff = useMciDiff(id, against);
  return (
    <Stack>
      <Title order={2}>Compare revisions</Title>
      <MciPicker
        label="Compare with"
        where={(m) => m.id !== id}
        labelOf={otherRevisionLabel}
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
            {[diff.data.from, diff.data.to].map((side, i) => (
              <Paper key={i} withBorder p="sm">
                <Text fw={600}>
                  {side.name} · {revisionLabel(side.revision)}
                </Text>
              </Paper>
            ))}
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
                  <Table.Th>{revisionLabel(diff.data.from.revision)}</Table.Th>
                  <Table.Th>{revisionLabel(diff.data.to.revision)}</Table.Th>
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
