import {
  Alert,
  Button,
  Code,
  Group,
  Modal,
  Select,
  Stack,
  Stepper,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, fieldError, unwrap, type Schemas } from '../api.ts';
import { useAccountId } from '../session.tsx';
import { ProblemAlert } from './ProblemAlert.tsx';
import {
  revisionLabel,
  useClouds,
  useFittingTypes,
  useMci,
  useUsableImages,
  type Server,
} from './ServerQueries.ts';
import { Empty, Loading } from './States.tsx';

type Template = Schemas['ServerTemplate'];
type SupportedCloud = Schemas['SupportedCloud'];

/**
 * Adds a server the way RightScale did: cloud first, then a template that supports it, then one of
 * the template's MCIs covering the cloud (its default preselected), then a preview of what the
 * server will inherit before it is created. The API resolves and checks everything (R-SRV-1..6).
 */
export function ServerWizard({
  deploymentId,
  onClose,
  onCreated,
}: {
  deploymentId: string;
  onClose(): void;
  onCreated(server: Server): void;
}) {
  const accountId = useAccountId();
  const queryClient = useQueryClient();
  const [step, setStep] = useState(0);
  const [cloudId, setCloudId] = useState<string | null>(null);
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [mciId, setMciId] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [imageId, setImageId] = useState<string | null>(null);
  const [typeId, setTypeId] = useState<string | null>(null);
  const clouds = useClouds();
  const candidates = useQuery({
    queryKey: ['templates-for-cloud', accountId, cloudId],
    enabled: Boolean(cloudId),
    queryFn: async () => {
      const templates = unwrap(
        await api.GET('/v1/accounts/{a}/server-templates', {
          params: { path: { a: accountId }, query: { limit: 500 } },
        }),
      ).items;
      const supported = await Promise.all(
        templates.map(async (t) => {
          const res = unwrap(
            await api.GET('/v1/accounts/{a}/server-templates/{id}/clouds', {
              params: { path: { a: accountId, id: t.id } },
            }),
          );
          return { template: t, cloud: res.items.find((c) => c.cloudId === cloudId) };
        }),
      );
      return supported.filter((s): s is { template: Template; cloud: SupportedCloud } => Boolean(s.cloud));
    },
  });
  const chosen = candidates.data?.find((c) => c.template.id === templateId);
  const cloudName = clouds.data?.find((c) => c.id === cloudId)?.name ?? '';
  const create = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/v1/accounts/{a}/deployments/{d}/servers', {
          params: { path: { a: accountId, d: deploymentId } },
          body: {
            name,
            cloudId: cloudId ?? '',
            serverTemplateId: templateId ?? '',
            // Only an MCI the user picked instead of the template's choice is sent (inherited ← you).
            mciId: mciId && mciId !== chosen?.cloud.mciId ? mciId : undefined,
            imageId: imageId ?? undefined,
            instanceTypeId: typeId ?? undefined,
          },
        }),
      ),
    onSuccess: async (server) => {
      await queryClient.invalidateQueries({ queryKey: ['servers', deploymentId] });
      onCreated(server);
    },
  });
  const ready = [Boolean(cloudId), Boolean(templateId), Boolean(mciId)];
  return (
    <Modal opened onClose={onClose} title="Add a server" size="xl">
      <Stepper active={step} onStepClick={setStep} size="sm" allowNextStepsSelect={false}>
        <Stepper.Step label="Cloud" description={cloudName || 'where it runs'}>
          <Select
            label="Cloud"
            searchable
            data={(clouds.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            value={cloudId}
            onChange={(v) => {
              setCloudId(v);
              setTemplateId(null);
              setMciId(null);
              setImageId(null);
              setTypeId(null);
            }}
            placeholder={clouds.isPending ? 'Loading clouds…' : 'Pick a cloud'}
            data-autofocus
          />
        </Stepper.Step>
        <Stepper.Step label="ServerTemplate" description={chosen?.template.name ?? 'what it runs'}>
          {candidates.error && <ProblemAlert error={candidates.error} />}
          {candidates.isPending ? (
            <Loading what="templates that support this cloud" />
          ) : candidates.data?.length === 0 ? (
            <Empty>No ServerTemplate of this account supports {cloudName}.</Empty>
          ) : (
            <Select
              label="ServerTemplate"
              description={`Only templates with an MCI for ${cloudName}`}
              data={(candidates.data ?? []).map((c) => ({
                value: c.template.id,
                label: `${c.template.name} — ${revisionLabel(c.template.revision)}`,
              }))}
              value={templateId}
              onChange={(v) => {
                setTemplateId(v);
                setMciId(candidates.data?.find((c) => c.template.id === v)?.cloud.mciId ?? null);
                setImageId(null);
                setTypeId(null);
              }}
            />
          )}
        </Stepper.Step>
        <Stepper.Step label="MultiCloud Image" description="its image map">
          {chosen && (
            <Select
              label="MultiCloud Image"
              description={`The template’s MCIs that cover ${cloudName}; its choice is preselected`}
              data={chosen.template.links
                .filter((l) => chosen.cloud.coveredBy.includes(l.mciId))
                .map((l) => ({
                  value: l.mciId,
                  label: `${l.mciName} — ${revisionLabel(l.mciRevision)}${
                    l.mciId === chosen.cloud.mciId ? ' (template default for this cloud)' : ''
                  }`,
                }))}
              value={mciId}
              onChange={(v) => {
                setMciId(v);
                setImageId(null);
                setTypeId(null);
              }}
              allowDeselect={false}
            />
          )}
        </Stepper.Step>
        <Stepper.Step label="Review" description="what it inherits">
          {cloudId && mciId && (
            <Review
              cloudId={cloudId}
              cloudName={cloudName}
              mciId={mciId}
              name={name}
              setName={setName}
              imageId={imageId}
              setImageId={(v) => {
                setImageId(v);
                setTypeId(null);
              }}
              typeId={typeId}
              setTypeId={setTypeId}
              error={create.error}
            />
          )}
        </Stepper.Step>
      </Stepper>
      <Group justify="space-between" mt="xl">
        <Button variant="default" onClick={() => (step === 0 ? onClose() : setStep(step - 1))}>
          {step === 0 ? 'Cancel' : 'Back'}
        </Button>
        {step < 3 ? (
          <Button onClick={() => setStep(step + 1)} disabled={!ready[step]}>
            Next
          </Button>
        ) : (
          <Button onClick={() => create.mutate()} loading={create.isPending}>
            Create server
          </Button>
        )}
      </Group>
    </Modal>
  );
}

function Review({
  cloudId,
  cloudName,
  mciId,
  name,
  setName,
  imageId,
  setImageId,
  typeId,
  setTypeId,
  error,
}: {
  cloudId: string;
  cloudName: string;
  mciId: string;
  name: string;
  setName(v: string): void;
  imageId: string | null;
  setImageId(v: string | null): void;
  typeId: string | null;
  setTypeId(v: string | null): void;
  error: unknown;
}) {
  const accountId = useAccountId();
  const mci = useMci(accountId, mciId);
  const [q, setQ] = useState('');
  const images = useUsableImages(accountId, imageId || q ? cloudId : null, q);
  const setting = mci.data?.settings.find((s) => s.cloudId === cloudId);
  const override = images.data?.find((i) => i.id === imageId);
  const types = useFittingTypes(
    cloudId,
    override?.cpuArchitecture ??
      (setting?.cpuArchitecture as Schemas['Image']['cpuArchitecture'] | undefined),
  );
  if (mci.isPending) return <Loading what="the MCI’s setting" />;
  if (mci.error) return <ProblemAlert error={mci.error} />;
  return (
    <Stack>
      <Text size="sm">
        A server in <b>{cloudName}</b> from <b>{mci.data.name}</b> ({revisionLabel(mci.data.revision)}) will
        inherit:
      </Text>
      {setting ? (
        <Table aria-label="Inherits" withTableBorder>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={140}>Image</Table.Th>
              <Table.Td>
                <Text size="sm">{setting.imageName}</Text>
                <Code>{setting.imageResourceUid}</Code>
                {setting.imageState !== 'available' && (
                  <Text size="xs" c="yellow.8">
                    {setting.imageState}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Instance type</Table.Th>
              <Table.Td>
                <Code>{setting.instanceTypeResourceUid}</Code>{' '}
                {setting.instanceTypeName !== setting.instanceTypeResourceUid && setting.instanceTypeName}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Arch / OS</Table.Th>
              <Table.Td>
                {setting.cpuArchitecture} · {setting.osFamily} {setting.osVersion}
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      ) : (
        <Alert color="yellow">This MCI has no setting for {cloudName}.</Alert>
      )}
      <TextInput
        label="Server name"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={fieldError(error, 'name')}
        data-autofocus
      />
      <Text size="sm" fw={500} mt="xs">
        Overrides (optional)
      </Text>
      <Group grow align="flex-start">
        <TextInput
          label="Find image"
          placeholder="name or ami-…"
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
        />
        <Select
          label="Image override"
          placeholder={q ? 'Pick an image' : 'Type in “Find image” first'}
          searchable
          clearable
          data={(images.data ?? []).map((i) => ({
            value: i.id,
            label: `${i.name} (${i.resourceUid}, ${i.cpuArchitecture})`,
          }))}
          value={imageId}
          onChange={setImageId}
          error={fieldError(error, 'imageId')}
        />
      </Group>
      <Select
        label="Instance type override"
        placeholder={setting ? `inherit ${setting.instanceTypeResourceUid}` : undefined}
        searchable
        clearable
        data={(types.data ?? []).map((t) => ({
          value: t.id,
          label: `${t.resourceUid} (${t.cpuCount} vCPU, ${t.memoryMb} MB)`,
        }))}
        value={typeId}
        onChange={setTypeId}
        error={fieldError(error, 'instanceTypeId')}
      />
      {Boolean(error) && !fieldError(error, 'name') && <ProblemAlert error={error} />}
    </Stack>
  );
}
