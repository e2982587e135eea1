import { AppShell, Button, Group, NavLink, Select, Stack, Text, Title } from '@mantine/core';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { CatalogPage } from './areas/catalog/CatalogPage.tsx';
import { CredentialsPage } from './areas/credentials/CredentialsPage.tsx';
import { DeploymentDetailPage } from './areas/deployments/DeploymentDetailPage.tsx';
import { DeploymentsPage } from './areas/deployments/DeploymentsPage.tsx';
import { ServerDetailPage } from './areas/deployments/ServerDetailPage.tsx';
import { MarketplacePage } from './areas/marketplace/MarketplacePage.tsx';
import { MembersPage } from './areas/members/MembersPage.tsx';
import { MyInvitations } from './areas/members/MyInvitations.tsx';
import { DiffPage } from './areas/mcis/DiffPage.tsx';
import { MciDetailPage } from './areas/mcis/MciDetailPage.tsx';
import { McisPage } from './areas/mcis/McisPage.tsx';
import { ImportCatalogPage } from './areas/mcis/ImportCatalogPage.tsx';
import { MergePage } from './areas/mcis/MergePage.tsx';
import { FirstAccountPage } from './areas/session/FirstAccountPage.tsx';
import { LoginPage } from './areas/session/LoginPage.tsx';
import { useMe } from './areas/session/queries.ts';
import { SessionProvider, useSession } from './areas/session/session.tsx';
import { SharingPage } from './areas/sharing/SharingPage.tsx';
import { CoveragePage } from './areas/templates/CoveragePage.tsx';
import { TemplateDetailPage } from './areas/templates/TemplateDetailPage.tsx';
import { TemplatesPage } from './areas/templates/TemplatesPage.tsx';
import { ProblemAlert } from './ui/ProblemAlert.tsx';
import { Empty, Loading } from './ui/States.tsx';

const NAV = [
  { to: '/mcis', label: 'MultiCloud Images' },
  { to: '/templates', label: 'ServerTemplates' },
  { to: '/deployments', label: 'Deployments' },
  { to: '/coverage', label: 'Coverage' },
  { to: '/marketplace', label: 'Marketplace' },
  { to: '/sharing', label: 'Sharing' },
  { to: '/members', label: 'Members' },
  { to: '/cloud-credentials', label: 'Cloud credentials' },
  { to: '/catalog', label: 'Catalog' },
];

function Shell() {
  const { me, accountId, setAccountId, signOut } = useSession();
  const location = useLocation();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm' }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={4}>MultiCloud Images</Title>
          <Group>
            <Select
              aria-label="Account"
              data={me.accounts.map((a) => ({ value: a.id, label: a.name }))}
              value={accountId}
              onChange={(v) => v && setAccountId(v)}
              allowDeselect={false}
              w={220}
            />
            <Text size="sm" c="dimmed">
              {me.user.email}
            </Text>
            <Button variant="subtle" size="xs" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        {NAV.map((n) => (
          <NavLink
            key={n.to}
            component={Link}
            to={n.to}
            label={n.label}
            active={location.pathname.startsWith(n.to)}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {accountId ? (
          <Routes>
            <Route path="/" element={<Navigate to="/mcis" replace />} />
            <Route path="/mcis" element={<McisPage />} />
            <Route path="/mcis/import" element={<ImportCatalogPage />} />
            <Route path="/mcis/:id" element={<MciDetailPage />} />
            <Route path="/mcis/:id/diff" element={<DiffPage />} />
            <Route path="/mcis/:id/merge" element={<MergePage />} />
            <Route path="/templates" element={<TemplatesPage />} />
            <Route path="/templates/:id" element={<TemplateDetailPage />} />
            <Route path="/coverage" element={<CoveragePage />} />
            <Route path="/deployments" element={<DeploymentsPage />} />
            <Route path="/deployments/:d" element={<DeploymentDetailPage />} />
            <Route path="/deployments/:d/servers/:s" element={<ServerDetailPage />} />
            <Route path="/marketplace" element={<MarketplacePage />} />
            <Route path="/sharing" element={<SharingPage />} />
            <Route path="/members" element={<MembersPage />} />
            <Route path="/cloud-credentials" element={<CredentialsPage />} />
            <Route path="/catalog" element={<CatalogPage />} />
            <Route path="*" element={<Empty>Nothing here.</Empty>} />
          </Routes>
        ) : me.user.isSuperuser ? (
          <FirstAccountPage />
        ) : (
          <Stack>
            <Empty>
              You are not a member of any account yet: an account admin invites you by your email address.
            </Empty>
            <MyInvitations always />
          </Stack>
        )}
      </AppShell.Main>
    </AppShell>
  );
}

/** Signs in, then shows the dashboard for the chosen account. */
export function App() {
  const me = useMe();
  if (me.isPending) return <Loading what="your session" />;
  if (me.error) return <ProblemAlert error={me.error} />;
  if (!me.data) return <LoginPage />;
  return (
    <SessionProvider me={me.data}>
      <Shell />
    </SessionProvider>
  );
}
