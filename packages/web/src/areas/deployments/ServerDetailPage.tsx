import {
  Alert,
  Anchor,
  Breadcrumbs,
  Code,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { revisionLabel } from '../../ui/labels.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Loading } from '../../ui/States.tsx';
import { useCloudDirectory, useImage, useInstanceType } from '../catalog/queries.ts';
import { useMci } from '../mcis/queries.ts';
import { useTemplate } from '../templates/queries.ts';
import { useDeployment, useServer, type Inherited, type Server, type Warning } from './queries.ts';
import { InheritedBadge, ServerStateBadge } from './ServerBadges.tsx';
import { ChangeImage, ChangeMci } from './ServerChanges.tsx';
import { LifecycleButtons } from './ServerLifecycle.tsx';

/** One server: what it runs and where each part came from; actors re-point its MCI or image. */
export function ServerDetailPage() {
  const { d = '', s = '' } = useParams();
  const deployment = useDeployment(d);
  const server = useServer(d, s);
  const [warnings, setWarnings] = useState<Warning[]>([]);
  if (server.isPending) return <Loading what="the server" />;
  if (server.error) return <ProblemAlert error={server.error} />;
  const v = server.data;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/deployments">
          Deployments
        </Anchor>
        <Anchor component={Link} to={`/deployments/${d}`}>
          {deployment.data?.name ?? '…'}
        </Anchor>
        <Text>{v.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group>
            <Title order={2}>{v.name}</Title>
            <span data-testid="server-state">
              <ServerStateBadge state={v.state} />
            </span>
          </Group>
          {v.stateReason && (
            <Text size="sm" c="dimmed" data-testid="state-reason">
              {v.stateReason}
            </Text>
          )}
        </Stack>
        <LifecycleButtons server={v} />
      </Group>
      {warnings.length > 0 && (
        <Alert
          color="yellow"
          title="Saved, with warnings"
          data-testid="warnings"
          withCloseButton
          onClose={() => setWarnings([])}
        >
          {warnings.map((w) => (
            <Text key={`${w.code}${w.message}`} size="sm">
              <Code>{w.code}</Code> {w.message}
            </Text>
          ))}
        </Alert>
      )}
      <ServerFields server={v} onSaved={setWarnings} />
    </Stack>
  );
}

function ServerFields({ server: v, onSaved }: { server: Server; onSaved(w: Warning[]): void }) {
  const { nameOf } = useCloudDirectory();
  const mci = useMci(v.mciId);
  const image = useImage(v.cloudId, v.imageId);
  const type = useInstanceType(v.cloudId, v.instanceTypeId);
  const template = useTemplate(v.serverTemplateId);
  const cloudName = nameOf(v.cloudId);
  const row = (label: string, value: ReactNode, source?: Inherited) => (
    <Table.Tr>
      <Table.Th w={160}>{label}</Table.Th>
      <Table.Td>{value}</Table.Td>
      <Table.Td w={130}>{source && <InheritedBadge source={source} size="sm" />}</Table.Td>
    </Table.Tr>
  );
  return (
    <>
      <Table aria-label="Server" withTableBorder>
        <Table.Tbody>
          {row('Cloud', cloudName)}
          {row(
            'ServerTemplate',
            template.data ? `${template.data.name} ${revisionLabel(template.data.revision)}` : '…',
          )}
          {row(
            'MCI',
            mci.data ? (
              <Anchor component={Link} to={`/mcis/${mci.data.id}`}>
                {mci.data.name} {revisionLabel(mci.data.revision)}
              </Anchor>
            ) : (
              '…'
            ),
            v.inheritedSource.mci,
          )}
          {row(
            'Image',
            image.data ? (
              <>
                <Text size="sm">{image.data.name}</Text>
                <Code>{image.data.resourceUid}</Code>
              </>
            ) : (
              '…'
            ),
            v.inheritedSource.image,
          )}
          {row(
            'Instance type',
            type.data ? (
              <>
                <Code>{type.data.resourceUid}</Code> {type.data.cpuCount} vCPU, {type.data.memoryMb} MB
              </>
            ) : (
              '…'
            ),
            v.inheritedSource.instanceType,
          )}
          {row('User data', v.userData ? <Code block>{v.userData}</Code> : '—')}
          {row('Instance', v.providerInstanceId ? <Code>{v.providerInstanceId}</Code> : '—')}
          {row('Launched', v.launchedAt ? new Date(v.launchedAt).toLocaleString() : 'never')}
          {row('Updated', new Date(v.updatedAt).toLocaleString())}
        </Table.Tbody>
      </Table>
      <CurrentAndNext server={v} />
      {v.actions.includes('edit') && (
        <Stack gap="xs">
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <ChangeMci server={v} cloudName={cloudName} onSaved={onSaved} />
            <ChangeImage server={v} cloudName={cloudName} onSaved={onSaved} />
          </SimpleGrid>
          <Text size="xs" c="dimmed">
            Changes to a running server’s MCI or image apply at its next launch.
          </Text>
        </Stack>
      )}
    </>
  );
}

/** The image, type and user data of one launch spec, as names where the catalog has them. */
function SpecCells({ cloudId, spec }: { cloudId: string; spec: Server['next'] | null }) {
  const image = useImage(cloudId, spec?.imageId ?? null);
  const type = useInstanceType(cloudId, spec?.instanceTypeId ?? null);
  if (!spec)
    return (
      <Table.Td colSpan={3}>
        <Text size="sm" c="dimmed">
          nothing runs
        </Text>
      </Table.Td>
    );
  return (
    <>
      <Table.Td>
        <Code>{image.data?.resourceUid ?? spec.imageId}</Code>
      </Table.Td>
      <Table.Td>
        <Code>{type.data?.resourceUid ?? spec.instanceTypeId}</Code>
      </Table.Td>
      <Table.Td>{spec.userData ? <Code>{spec.userData.slice(0, 60)}</Code> : '—'}</Table.Td>
    </>
  );
}

/** R-LCH-4: what runs now beside what the next launch will use. */
function CurrentAndNext({ server }: { server: Server }) {
  const differs =
    server.current !== null &&
    (server.current.imageId !== server.next.imageId ||
      server.current.instanceTypeId !== server.next.instanceTypeId ||
      server.current.userData !== server.next.userData);
  return (
    <Stack gap={4}>
      <Table aria-label="Current and next launch" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={160}></Table.Th>
            <Table.Th>Image</Table.Th>
            <Table.Th>Instance type</Table.Th>
            <Table.Th>User data</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr data-testid="current-launch">
            <Table.Th>Runs now</Table.Th>
            <SpecCells cloudId={server.cloudId} spec={server.current} />
          </Table.Tr>
          <Table.Tr data-testid="next-launch">
            <Table.Th>Next launch</Table.Th>
            <SpecCells cloudId={server.cloudId} spec={server.next} />
          </Table.Tr>
        </Table.Tbody>
      </Table>
      {differs && (
        <Text size="xs" c="yellow.8">
          The next launch uses a different image, type or user data than what runs now.
        </Text>
      )}
    </Stack>
  );
}
