import {
  Badge,
  Button,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { useSession } from '../session/session.tsx';
import {
  CREDENTIAL_CLOUD_TYPES,
  useAddCredential,
  useCheckCredential,
  useCredentials,
  useDeleteCredential,
  useRotateCredential,
  type Credential,
  type CredentialCloudType,
  type KeysInput,
} from './queries.ts';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

/**
 * The fields of a set of keys. The secret is a password input, cleared after each save: the
 * server never sends it back, so the form never shows it again.
 */
function KeyFields({
  value,
  onChange,
  error,
}: {
  value: KeysInput;
  onChange(v: KeysInput): void;
  error: unknown;
}) {
  const set = (patch: Partial<KeysInput>) => onChange({ ...value, ...patch });
  return (
    <>
      <TextInput
        label="Access key id"
        value={value.accessKeyId}
        onChange={(e) => set({ accessKeyId: e.currentTarget.value })}
        error={fieldError(error, 'accessKeyId')}
        autoComplete="off"
        w={260}
      />
      <PasswordInput
        label="Secret access key"
        value={value.secretAccessKey}
        onChange={(e) => set({ secretAccessKey: e.currentTarget.value })}
        error={fieldError(error, 'secretAccessKey')}
        autoComplete="new-password"
        w={320}
      />
      <PasswordInput
        label="Session token (optional)"
        value={value.sessionToken ?? ''}
        onChange={(e) => set({ sessionToken: e.currentTarget.value })}
        error={fieldError(error, 'sessionToken')}
        autoComplete="new-password"
        w={260}
      />
      <TextInput
        label="Endpoint (optional)"
        placeholder="http://127.0.0.1:5000"
        value={value.endpoint ?? ''}
        onChange={(e) => set({ endpoint: e.currentTarget.value })}
        error={fieldError(error, 'endpoint')}
        w={260}
      />
      <TextInput
        label="Role ARN (optional)"
        placeholder="arn:aws:iam::123456789012:role/…"
        value={value.roleArn ?? ''}
        onChange={(e) => set({ roleArn: e.currentTarget.value })}
        error={fieldError(error, 'roleArn')}
        w={320}
      />
    </>
  );
}

const FIELDS = ['accessKeyId', 'secretAccessKey', 'sessionToken', 'endpoint', 'roleArn', 'cloudType'];
const otherError = (error: unknown) => Boolean(error) && FIELDS.every((f) => !fieldError(error, f));

function AddForm({ types }: { types: CredentialCloudType[] }) {
  const [cloudType, setCloudType] = useState<CredentialCloudType>(types[0]);
  const [keys, setKeys] = useState<KeysInput>({ accessKeyId: '', secretAccessKey: '' });
  const add = useAddCredential();
  const type = types.includes(cloudType) ? cloudType : types[0];
  return (
    <form
      aria-label="Add cloud credentials"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate(
          { cloudType: type, ...keys, accessKeyId: keys.accessKeyId.trim() },
          { onSettled: () => setKeys((k) => ({ ...k, secretAccessKey: '', sessionToken: '' })) },
        );
      }}
    >
      <Stack gap="xs">
        <Title order={3}>Add credentials</Title>
        <Group align="flex-start">
          <Select
            label="Cloud type"
            data={types}
            value={type}
            onChange={(v) => v && setCloudType(v as CredentialCloudType)}
            allowDeselect={false}
            w={140}
          />
          <KeyFields value={keys} onChange={setKeys} error={add.error} />
        </Group>
        <Group>
          <Button
            type="submit"
            loading={add.isPending}
            disabled={!keys.accessKeyId.trim() || !keys.secretAccessKey}
          >
            Add credentials
          </Button>
          <Text size="xs" c="dimmed">
            The cloud is asked who the keys belong to before they are saved.
          </Text>
        </Group>
        {otherError(add.error) && <ProblemAlert error={add.error} />}
        {add.data && !add.isPending && !add.error && (
          <Text size="sm" c="green" data-testid="credentials-added">
            Saved {add.data.cloudType} credentials of principal {add.data.principal ?? 'unknown'}.
          </Text>
        )}
      </Stack>
    </form>
  );
}

function RotateDialog({ credential, onClose }: { credential: Credential; onClose(): void }) {
  const [keys, setKeys] = useState<KeysInput>({
    accessKeyId: '',
    secretAccessKey: '',
    endpoint: credential.endpoint ?? '',
    roleArn: credential.roleArn ?? '',
  });
  const rotate = useRotateCredential();
  return (
    <Modal opened onClose={onClose} title={`Rotate the ${credential.cloudType} credentials`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          rotate.mutate(
            {
              id: credential.id,
              ...keys,
              accessKeyId: keys.accessKeyId.trim(),
              endpoint: keys.endpoint?.trim() || null,
              roleArn: keys.roleArn?.trim() || null,
            },
            {
              onSuccess: onClose,
              onSettled: () => setKeys((k) => ({ ...k, secretAccessKey: '', sessionToken: '' })),
            },
          );
        }}
      >
        <Stack>
          <Text size="sm">The new keys replace {credential.accessKeyHint} once the cloud accepts them.</Text>
          <KeyFields value={keys} onChange={setKeys} error={rotate.error} />
          {otherError(rotate.error) && <ProblemAlert error={rotate.error} />}
          <Button
            type="submit"
            loading={rotate.isPending}
            disabled={!keys.accessKeyId.trim() || !keys.secretAccessKey}
          >
            Rotate
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function DeleteDialog({ credential, onClose }: { credential: Credential; onClose(): void }) {
  const remove = useDeleteCredential();
  return (
    <Modal opened onClose={onClose} title={`Delete the ${credential.cloudType} credentials?`}>
      <Stack>
        <Text size="sm">
          Key {credential.accessKeyHint} (principal {credential.principal ?? 'unknown'}). Syncs and launches
          that need them stop until new credentials are added.
        </Text>
        {remove.error && <ProblemAlert error={remove.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() => remove.mutate(credential.id, { onSuccess: onClose })}
          >
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function CredentialRow({
  credential,
  onRotate,
  onDelete,
}: {
  credential: Credential;
  onRotate(): void;
  onDelete(): void;
}) {
  const check = useCheckCredential();
  return (
    <Table.Tr>
      <Table.Td>
        <Badge variant="light">{credential.cloudType}</Badge>
      </Table.Td>
      <Table.Td>
        <Text ff="monospace" size="sm">
          {credential.accessKeyHint}
        </Text>
      </Table.Td>
      <Table.Td>{credential.principal ?? 'unknown'}</Table.Td>
      <Table.Td>
        <Tooltip label="A short hash of the keys: it changes with each rotation">
          <Text ff="monospace" size="xs">
            {credential.fingerprint}
          </Text>
        </Tooltip>
      </Table.Td>
      <Table.Td>{credential.endpoint ?? 'the cloud’s own'}</Table.Td>
      <Table.Td>{when(credential.lastUsedAt)}</Table.Td>
      <Table.Td>
        {credential.lastError ? (
          <Text size="sm" c="red">
            {credential.lastError} ({when(credential.lastErrorAt)})
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            none
          </Text>
        )}
        {check.error && <ProblemAlert error={check.error} />}
      </Table.Td>
      <Table.Td>
        <Group gap="xs" justify="flex-end" wrap="nowrap">
          <Button
            size="xs"
            variant="default"
            loading={check.isPending}
            onClick={() => check.mutate(credential.id)}
          >
            Check
          </Button>
          <Button size="xs" variant="light" onClick={onRotate}>
            Rotate
          </Button>
          <Button size="xs" color="red" variant="light" onClick={onDelete}>
            Delete
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** R-CLD-1/2: the account's cloud credentials (admins): added, checked, rotated, deleted; secrets never shown. */
export function CredentialsPage() {
  const { can } = useSession();
  const admin = can('admin');
  const credentials = useCredentials(admin);
  const [rotating, setRotating] = useState<Credential | null>(null);
  const [deleting, setDeleting] = useState<Credential | null>(null);
  if (!admin) {
    return (
      <Stack>
        <Title order={2}>Cloud credentials</Title>
        <Empty>Only the account’s admins manage its cloud credentials.</Empty>
      </Stack>
    );
  }
  const missing = CREDENTIAL_CLOUD_TYPES.filter(
    (t) => !(credentials.items ?? []).some((c) => c.cloudType === t),
  );
  return (
    <Stack>
      <Title order={2}>Cloud credentials</Title>
      <Text size="sm" c="dimmed">
        Keys the service uses to sync this account’s images and launch its servers. They are stored encrypted
        and never shown again: a rotation replaces them.
      </Text>
      {credentials.error && <ProblemAlert error={credentials.error} />}
      {credentials.isPending ? (
        <Loading what="cloud credentials" />
      ) : credentials.items?.length === 0 ? (
        <Text size="sm" c="dimmed">
          No credentials yet.
        </Text>
      ) : (
        <Table aria-label="Cloud credentials" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Type</Table.Th>
              <Table.Th>Key</Table.Th>
              <Table.Th>Principal</Table.Th>
              <Table.Th>Fingerprint</Table.Th>
              <Table.Th>Endpoint</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Last error</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {credentials.items?.map((c) => (
              <CredentialRow
                key={c.id}
                credential={c}
                onRotate={() => setRotating(c)}
                onDelete={() => setDeleting(c)}
              />
            ))}
          </Table.Tbody>
        </Table>
      )}
      <LoadMore list={credentials} what="credentials" />
      {!credentials.isPending && missing.length > 0 && <AddForm key={missing.join()} types={missing} />}
      {rotating && <RotateDialog credential={rotating} onClose={() => setRotating(null)} />}
      {deleting && <DeleteDialog credential={deleting} onClose={() => setDeleting(null)} />}
    </Stack>
  );
}
