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
import { ChangeImage, ChangeMci, ChangeState } from './ServerChanges.tsx';

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
      <Group>
        <Title order={2}>{v.name}</Title>
        <ServerStateBadge state={v.state} />
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
          {row('Updated', new Date(v.updatedAt).toLocaleString())}
        </Table.Tbody>
      </Table>
      {v.actions.includes('edit') && (
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <ChangeMci server={v} cloudName={cloudName} onSaved={onSaved} />
          <ChangeImage server={v} cloudName={cloudName} onSaved={onSaved} />
          <ChangeState server={v} onSaved={onSaved} />
        </SimpleGrid>
      )}
    </>
  );
}
