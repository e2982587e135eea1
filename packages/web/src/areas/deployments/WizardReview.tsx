import { Alert, Code, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api.ts';
import { revisionLabel } from '../../ui/labels.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Loading } from '../../ui/States.tsx';
import { ImageSelect, InstanceTypeSelect } from '../catalog/pickers.tsx';
import { useImages, type CpuArchitecture } from '../catalog/queries.ts';
import { useMci } from '../mcis/queries.ts';
import { useAccountId } from '../session/session.tsx';

/** The wizard's last step: what the server inherits from the MCI's setting, its name, and overrides. */
export function WizardReview({
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
  const mci = useMci(mciId);
  const [q, setQ] = useState('');
  const images = useImages(imageId || q ? cloudId : null, { usableBy: accountId, q });
  const setting = mci.data?.settings.find((s) => s.cloudId === cloudId);
  const override = images.items?.find((i) => i.id === imageId);
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
        <ImageSelect
          label="Image override"
          placeholder={q ? 'Pick an image' : 'Type in “Find image” first'}
          clearable
          withState={false}
          images={images}
          value={imageId}
          onChange={setImageId}
          error={fieldError(error, 'imageId')}
        />
      </Group>
      <InstanceTypeSelect
        label="Instance type override"
        placeholder={setting ? `inherit ${setting.instanceTypeResourceUid}` : undefined}
        clearable
        cloudId={cloudId}
        cpuArchitecture={
          override?.cpuArchitecture ?? (setting?.cpuArchitecture as CpuArchitecture | undefined)
        }
        value={typeId}
        onChange={setTypeId}
        error={fieldError(error, 'instanceTypeId')}
      />
      {Boolean(error) && !fieldError(error, 'name') && <ProblemAlert error={error} />}
    </Stack>
  );
}
