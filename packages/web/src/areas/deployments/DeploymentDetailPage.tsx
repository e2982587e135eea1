import { Alert, Anchor, Breadcrumbs, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { revisionLabel } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { useCloudDirectory, useImage, useInstanceType } from '../catalog/queries.ts';
import { useMci } from '../mcis/queries.ts';
import { useSession } from '../session/session.tsx';
import { canAddServers, isTransitional, POLL_MS } from './actions.ts';
import { useDeployment, useServers, type Server } from './queries.ts';
import { InheritedBadges, ServerStateBadge } from './ServerBadges.tsx';
import { LifecycleButtons } from './ServerLifecycle.tsx';
import { ServerWizard } from './ServerWizard.tsx';

/** One deployment: its servers and the add-server wizard (actors). */
export function DeploymentDetailPage() {
  const { d = '' } = useParams();
  const { can } = useSession();
  const [adding, setAdding] = useState(false);
  const [wizardKey, setWizardKey] = useState(0);
  const [added, setAdded] = useState<Server | null>(null);
  const deployment = useDeployment(d);
  const servers = useServers(d);
  const { nameOf: cloudName } = useCloudDirectory();
  const adds = canAddServers(can);
  // While a server launches or terminates, the reconciler moves it on: follow the list.
  const onTheirWay = servers.items?.some((s) => isTransitional(s.state)) ?? false;
  const { refetch } = servers;
  useEffect(() => {
    if (!onTheirWay) return;
    const timer = setInterval(() => void refetch(), POLL_MS);
    return () => clearInterval(timer);
  }, [onTheirWay, refetch]);
  if (deployment.isPending) return <Loading what="the deployment" />;
  if (deployment.error) return <ProblemAlert error={deployment.error} />;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/deployments">
          Deployments
        </Anchor>
        <Text>{deployment.data.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between">
        <div>
          <Title order={2}>{deployment.data.name}</Title>
          {deployment.data.description && (
            <Text c="dimmed" size="sm">
              {deployment.data.description}
            </Text>
          )}
        </div>
        {adds && (
          <Button
            onClick={() => {
              setWizardKey((k) => k + 1);
              setAdding(true);
            }}
          >
            Add server
          </Button>
        )}
      </Group>
      {added && (
        <Alert color="green" withCloseButton onClose={() => setAdded(null)} data-testid="added">
          Added server{' '}
          <Anchor component={Link} to={`/deployments/${d}/servers/${added.id}`}>
            {added.name}
          </Anchor>{' '}
          in {cloudName(added.cloudId)}.
        </Alert>
      )}
      {servers.error && <ProblemAlert error={servers.error} />}
      {servers.isPending ? (
        <Loading what="servers" />
      ) : servers.items?.length === 0 ? (
        <Empty>No servers yet{adds ? ': add one, cloud first.' : '.'}</Empty>
      ) : (
        <Table highlightOnHover aria-label="Servers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Cloud</Table.Th>
              <Table.Th>MCI</Table.Th>
              <Table.Th>Image</Table.Th>
              <Table.Th>Instance type</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Inherited</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {servers.items?.map((s) => (
              <ServerRow key={s.id} server={s} cloudName={cloudName(s.cloudId)} />
            ))}
          </Table.Tbody>
        </Table>
      )}
      <LoadMore list={servers} what="servers" />
      {adding && (
        <ServerWizard
          key={wizardKey}
          deploymentId={d}
          onClose={() => setAdding(false)}
          onCreated={(server) => {
            setAdding(false);
            setAdded(server);
          }}
        />
      )}
    </Stack>
  );
}

function ServerRow({ server, cloudName }: { server: Server; cloudName: string }) {
  const mci = useMci(server.mciId);
  const image = useImage(server.cloudId, server.imageId);
  const type = useInstanceType(server.cloudId, server.instanceTypeId);
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component={Link} to={`/deployments/${server.deploymentId}/servers/${server.id}`}>
          {server.name}
        </Anchor>
      </Table.Td>
      <Table.Td>{cloudName}</Table.Td>
      <Table.Td>{mci.data ? `${mci.data.name} ${revisionLabel(mci.data.revision)}` : '…'}</Table.Td>
      <Table.Td>
        <Text size="xs" ff="monospace">
          {image.data?.resourceUid ?? '…'}
        </Text>
      </Table.Td>
      <Table.Td>{type.data?.resourceUid ?? '…'}</Table.Td>
      <Table.Td>
        <ServerStateBadge state={server.state} />
        {server.stateReason && (
          <Text size="xs" c="dimmed" maw={240}>
            {server.stateReason}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <InheritedBadges source={server.inheritedSource} />
      </Table.Td>
      <Table.Td>
        <LifecycleButtons server={server} size="xs" />
      </Table.Td>
    </Table.Tr>
  );
}
