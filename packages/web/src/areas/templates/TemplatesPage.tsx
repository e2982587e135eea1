import { Anchor, Badge, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { revisionLabel } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { useSession } from '../session/session.tsx';
import { CreateTemplateModal } from './CreateTemplateModal.tsx';
import { useTemplates } from './queries.ts';

/** The account's ServerTemplates (HEADs), with search and a create button for designers. */
export function TemplatesPage() {
  const { can } = useSession();
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const list = useTemplates(q, { headsOnly: true });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>ServerTemplates</Title>
        {can('designer') && <Button onClick={() => setCreating(true)}>New template</Button>}
      </Group>
      <TextInput
        placeholder="Search by name"
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        aria-label="Search templates"
        w={320}
      />
      {list.error && <ProblemAlert error={list.error} />}
      {list.isPending ? (
        <Loading what="templates" />
      ) : list.items?.length === 0 ? (
        <Empty>{q ? 'No template matches.' : 'No ServerTemplates yet.'}</Empty>
      ) : (
        <Table highlightOnHover aria-label="Templates">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Default MCI</Table.Th>
              <Table.Th>MCIs</Table.Th>
              <Table.Th>Last commit</Table.Th>
              <Table.Th>Origin</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.items?.map((t) => {
              const def = t.links.find((l) => l.isDefault);
              return (
                <Table.Tr key={t.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/templates/${t.id}`}>
                      {t.name}
                    </Anchor>
                    {t.description && (
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {t.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{def ? `${def.mciName} ${revisionLabel(def.mciRevision)}` : '—'}</Table.Td>
                  <Table.Td>{t.links.length}</Table.Td>
                  <Table.Td>{t.baseRevision ? `r${t.baseRevision}` : 'never committed'}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {t.clonedFrom && <Badge variant="light">clone</Badge>}
                      {t.importedFrom && (
                        <Badge variant="light" color="grape">
                          imported
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      <LoadMore list={list} what="templates" />
      <CreateTemplateModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
