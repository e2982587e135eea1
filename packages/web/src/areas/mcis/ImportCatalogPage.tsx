import {
  Alert,
  Anchor,
  Badge,
  Button,
  FileButton,
  Group,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { fieldError } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { useSession } from '../session/session.tsx';
import { useCatalogImport, type CatalogImportBody, type CatalogImportResult } from './queries.ts';

const FORMATS = [
  { value: 'cloudformation-mappings', label: 'CloudFormation Mappings (AWSRegionArch2AMI)' },
  { value: 'coreos-stream', label: 'Fedora CoreOS stream metadata' },
  { value: 'simplestreams', label: 'simplestreams image-ids (products:1.0)' },
];

const CHANGE_COLOR: Record<string, string> = { add: 'green', replace: 'yellow', remove: 'red', keep: 'gray' };

/** What the preview or the import answered: the MCIs and their settings, then what is left out. */
function ImportResult({ result }: { result: CatalogImportResult }) {
  return (
    <Stack>
      {result.mcis.length === 0 ? (
        <Alert color="yellow">No MCI: no entry of the document could be used.</Alert>
      ) : (
        <Table aria-label="MCIs to import">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>MCI</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Region</Table.Th>
              <Table.Th>Cloud</Table.Th>
              <Table.Th>Image</Table.Th>
              <Table.Th>Instance type</Table.Th>
              <Table.Th>Setting</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {result.mcis.flatMap((m) =>
              m.settings.map((s) => (
                <Table.Tr key={`${m.name}/${s.cloudId}`}>
                  <Table.Td>
                    {m.mciId && !result.dryRun ? (
                      <Anchor component={Link} to={`/mcis/${m.mciId}`}>
                        {m.name}
                      </Anchor>
                    ) : (
                      m.name
                    )}
                  </Table.Td>
                  <Table.Td>
                    {m.action}
                    {m.committedRevision ? ` (r${m.committedRevision})` : ''}
                  </Table.Td>
                  <Table.Td>{s.region}</Table.Td>
                  <Table.Td>{s.cloudName}</Table.Td>
                  <Table.Td>{s.resourceUid}</Table.Td>
                  <Table.Td>{s.instanceType}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={CHANGE_COLOR[s.change]}>
                      {s.change}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              )),
            )}
          </Table.Tbody>
        </Table>
      )}
      {result.skipped.length > 0 && (
        <>
          <Title order={4}>Not imported ({result.skipped.length})</Title>
          <Table aria-label="Entries not imported">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Variant</Table.Th>
                <Table.Th>Region</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th>Why</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.skipped.map((s) => (
                <Table.Tr key={`${s.path}/${s.reason}/${s.variant ?? ''}`}>
                  <Table.Td>{s.variant}</Table.Td>
                  <Table.Td>{s.region}</Table.Td>
                  <Table.Td>{s.reason}</Table.Td>
                  <Table.Td>{s.message}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}

/**
 * Import a published image catalog as MCIs (R-FMT-1): paste or load the document, preview what
 * it would write, then import exactly that. Changing anything asks for a new preview first.
 */
export function ImportCatalogPage() {
  const { can } = useSession();
  const [format, setFormat] = useState<string | null>('cloudformation-mappings');
  const [document, setDocument] = useState('');
  const [prefix, setPrefix] = useState('');
  const [x86, setX86] = useState('');
  const [arm, setArm] = useState('');
  const [message, setMessage] = useState('');
  const preview = useCatalogImport();
  const apply = useCatalogImport();

  const body = (dryRun: boolean): CatalogImportBody => ({
    format: (format ?? 'cloudformation-mappings') as CatalogImportBody['format'],
    document,
    dryRun,
    namePrefix: prefix.trim() || undefined,
    defaultInstanceTypes:
      x86.trim() || arm.trim()
        ? { ...(x86.trim() ? { x86_64: x86.trim() } : {}), ...(arm.trim() ? { arm64: arm.trim() } : {}) }
        : undefined,
    commitMessage: !dryRun && message.trim() ? message.trim() : undefined,
  });
  /** Any change of the inputs makes the preview stale. */
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      preview.reset();
      apply.reset();
    };
  const previewed = preview.data?.dryRun ? preview.data : undefined;
  const willWrite = previewed?.mcis.some((m) => m.action !== 'unchanged') ?? false;

  return (
    <Stack maw={1100}>
      <Title order={2}>Import a catalog</Title>
      <Text c="dimmed" size="sm">
        Region maps you already keep become MCIs: one per architecture or product, each region matched to its
        cloud and each image id to the catalog. Nothing is written until you import the preview.
      </Text>
      <Group align="end">
        <Select
          label="Format"
          data={FORMATS}
          value={format}
          onChange={edit(setFormat)}
          allowDeselect={false}
          w={360}
        />
        <FileButton
          onChange={async (file) => {
            if (file) edit(setDocument)(await file.text());
          }}
          accept=".json,.yaml,.yml,.js"
        >
          {(props) => (
            <Button variant="default" {...props}>
              Load a file…
            </Button>
          )}
        </FileButton>
      </Group>
      <Textarea
        label="Document (JSON or YAML)"
        aria-label="Document"
        value={document}
        onChange={(e) => edit(setDocument)(e.currentTarget.value)}
        autosize
        minRows={8}
        maxRows={20}
        styles={{ input: { fontFamily: 'monospace' } }}
        error={fieldError(preview.error, 'document')}
      />
      <Group align="end">
        <TextInput
          label="Name prefix"
          placeholder="default: the map or stream name"
          value={prefix}
          onChange={(e) => edit(setPrefix)(e.currentTarget.value)}
        />
        <TextInput
          label="Instance type for x86_64"
          placeholder="e.g. t3.micro"
          value={x86}
          onChange={(e) => edit(setX86)(e.currentTarget.value)}
        />
        <TextInput
          label="Instance type for arm64"
          placeholder="e.g. t4g.micro"
          value={arm}
          onChange={(e) => edit(setArm)(e.currentTarget.value)}
        />
        <Button
          onClick={() => preview.mutate(body(true))}
          loading={preview.isPending}
          disabled={!document.trim()}
        >
          Preview
        </Button>
      </Group>
      {preview.error && <ProblemAlert error={preview.error} />}
      {previewed && !apply.data && (
        <>
          <Title order={3}>Preview</Title>
          <ImportResult result={previewed} />
          {can('designer') && willWrite && (
            <Group align="end">
              <TextInput
                label="Commit message (optional)"
                placeholder="commit what the import creates or changes"
                value={message}
                onChange={(e) => setMessage(e.currentTarget.value)}
                w={420}
              />
              <Button color="green" onClick={() => apply.mutate(body(false))} loading={apply.isPending}>
                Import {previewed.mcis.filter((m) => m.action !== 'unchanged').length} MCI(s)
              </Button>
            </Group>
          )}
          {!willWrite && previewed.mcis.length > 0 && (
            <Alert color="gray">Everything is up to date: nothing to import.</Alert>
          )}
        </>
      )}
      {apply.error && <ProblemAlert error={apply.error} />}
      {apply.data && (
        <>
          <Alert color="green" title="Imported">
            {apply.data.mcis.filter((m) => m.action !== 'unchanged').length} MCI(s) written
            {apply.data.mcis.some((m) => m.committedRevision) ? ' and committed' : ''}.
          </Alert>
          <ImportResult result={apply.data} />
        </>
      )}
    </Stack>
  );
}
