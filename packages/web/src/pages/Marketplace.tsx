import { Title } from '@mantine/core';

export function Marketplace() {
  return <Title order={2}>Marketplace</Title>;
}

export function Sharing() {
  return <Title order={2}>Sharing</Title>;
}
