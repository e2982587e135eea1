import { Anchor, Badge, Box, Group, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { revisionLabel } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { useCloudDirectory } from '../catalog/queries.ts';
import { useSupportedCloudsOf, useTemplates, type SupportedCloud, type Template } from './queries.ts';

/**
 * The coverage matrix: the account's templates × clouds, each cell naming the MCI a new server
 * in that cloud would use (R-SRV-2), or a gap.
 */
export function CoveragePage() {
  const [q, setQ] = useState('');
  const [committed, setCommitted] = useState(false);
  const [allClouds, setAllClouds] = useState(false);
  const templates = useTemplates(q, { headsOnly: !committed });
  const catalog = useCloudDirectory(allClouds);
  const rows = sortRows(templates.items ?? []);
  const supported = useSupportedCloudsOf(rows);
  const cloudsOf = new Map<string, SupportedCloud[] | undefined>(
    rows.map((t, i) => [t.id, supported[i]?.data]),
  );
  const columns = new Map<string, string>();
  if (allClouds) for (const c of catalog.data ?? []) columns.set(c.id, c.name);
  for (const s of supported) for (const c of s.data ?? []) columns.set(c.cloudId, c.cloudName);
  const clouds = [...columns]
    .map(([id, name]) => ({ id, name }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const failed = supported.find((s) => s.error)?.error ?? catalog.error;

  return (
    <Stack>
      <Title order={2}>Coverage</Title>
      <Text c="dimmed" size="sm">
        Which MultiCloud Image a new server of each template would boot in each cloud. A red dash is a cloud
        the template cannot launch in.
      </Text>
      <Group>
        <TextInput
          placeholder="Search templates"
          aria-label="Search templates"
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          w={260}
        />
        <Switch
          label="Include committed revisions"
          checked={committed}
          onChange={(e) => setCommitted(e.currentTarget.checked)}
        />
        <Switch
          label="Show all catalog clouds"
          checked={allClouds}
          onChange={(e) => setAllClouds(e.currentTarget.checked)}
        />
      </Group>
      {templates.error && <ProblemAlert error={templates.error} />}
      {failed && <ProblemAlert error={failed} />}
      {templates.isPending ? (
        <Loading what="templates" />
      ) : rows.length === 0 ? (
        <Empty>
          {q ? 'No template matches.' : 'No ServerTemplates yet: create one to see its coverage.'}
        </Empty>
      ) : (
        <Box
          component="section"
          tabIndex={0}
          aria-label="Coverage matrix (scrolls sideways)"
          style={{ overflowX: 'auto', maxWidth: '100%' }}
        >
          <Table aria-label="Coverage" withTableBorder withColumnBorders verticalSpacing="xs" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th style={STICKY}>Template</Table.Th>
                <Table.Th style={{ whiteSpace: 'nowrap' }}>Coverage</Table.Th>
                {clouds.map((c) => (
                  <Table.Th key={c.id} scope="col" style={{ whiteSpace: 'nowrap' }}>
                    {c.name}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((t) => (
                <CoverageRow key={t.id} template={t} supported={cloudsOf.get(t.id)} clouds={clouds} />
              ))}
            </Table.Tbody>
          </Table>
        </Box>
      )}
      <LoadMore list={templates} what="templates" />
    </Stack>
  );
}

const STICKY = {
  position: 'sticky',
  left: 0,
  zIndex: 1,
  background: 'var(--mantine-color-body)',
  minWidth: 200,
} as const;

/** HEADs first, then each lineage's committed revisions newest first. */
function sortRows(templates: readonly Template[]): Template[] {
  return [...templates].sort(
    (a, b) =>
      a.name.localeCompare(b.name) ||
      a.lineageId.localeCompare(b.lineageId) ||
      (a.revision === 0 ? -1 : b.revision === 0 ? 1 : b.revision - a.revision),
  );
}

function CoverageRow({
  template,
  supported,
  clouds,
}: {
  template: Template;
  supported: SupportedCloud[] | undefined;
  clouds: { id: string; name: string }[];
}) {
  const byCloud = new Map((supported ?? []).map((s) => [s.cloudId, s]));
  const byMci = new Map(template.links.map((l) => [l.mciId, l]));
  const served = clouds.filter((c) => byCloud.has(c.id)).length;
  return (
    <Table.Tr data-testid={`coverage-${template.name}-${revisionLabel(template.revision)}`}>
      <Table.Th scope="row" style={STICKY}>
        <Group gap={6} wrap="nowrap">
          <Anchor component={Link} to={`/templates/${template.id}`} fw={600}>
            {template.name}
          </Anchor>
          <Badge size="xs" variant="light" color={template.revision === 0 ? 'blue' : 'gray'}>
            {revisionLabel(template.revision)}
          </Badge>
        </Group>
      </Table.Th>
      <Table.Td style={{ whiteSpace: 'nowrap' }} data-testid="coverage-summary">
        {supported ? (
          <Text size="sm" c={served === clouds.length ? 'teal' : served === 0 ? 'red' : undefined} fw={500}>
            {served} of {clouds.length} clouds
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            …
          </Text>
        )}
      </Table.Td>
      {clouds.map((c) => {
        const s = byCloud.get(c.id);
        if (!supported) return <Table.Td key={c.id} aria-busy="true" />;
        if (!s) {
          return (
            <Table.Td key={c.id} bg="var(--mantine-color-red-light)" ta="center">
              <Text
                span
                c="red"
                fw={700}
                aria-label="not supported"
                title={`${template.name} has no image for ${c.name}`}
              >
                —
              </Text>
            </Table.Td>
          );
        }
        const link = byMci.get(s.mciId);
        const others = s.coveredBy.filter((id) => id !== s.mciId).map((id) => byMci.get(id)?.mciName ?? id);
        return (
          <Table.Td
            key={c.id}
            title={`${c.name}: served by ${link?.mciName ?? s.mciId}${others.length ? `; also covered by ${others.join(', ')}` : ''}`}
          >
            <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
              {link?.mciName ?? s.mciId}
              <Text span size="xs" c="dimmed">
                {' '}
                {link ? revisionLabel(link.mciRevision) : ''}
                {link && !link.isDefault ? ' · fallback' : ''}
              </Text>
            </Text>
          </Table.Td>
        );
      })}
    </Table.Tr>
  );
}
