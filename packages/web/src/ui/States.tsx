import { Center, Loader, Text } from '@mantine/core';

export function Loading({ what }: { what: string }) {
  return (
    <Center p="xl" aria-busy="true">
      <Loader size="sm" mr="sm" />
      <Text c="dimmed">Loading {what}…</Text>
    </Center>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return (
    <Center p="xl">
      <Text c="dimmed">{children}</Text>
    </Center>
  );
}
