import { Title } from '@mantine/core';

export function MciDiff() {
  return <Title order={2}>MciDiff</Title>;
}

export function MciMerge() {
  return <Title order={2}>MciMerge</Title>;
}
