import { AppShell, Button, Group, NavLink, Select, Text, Title } from '@mantine/core';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { ProblemAlert } from './components/ProblemAlert.tsx';
import { Empty, Loading } from './components/States.tsx';
import { FirstAccount } from './pages/FirstAccount.tsx';
import { Catalog } from './pages/Catalog.tsx';
import { Coverage } from './pages/Coverage.tsx';
import { DeploymentDetail, Deployments, ServerDetail } from './pages/Deployments.tsx';
import { MciDiff, MciMerge } from './pages/DiffMerge.tsx';
import { Marketplace, Sharing } from './pages/Marketplace.tsx';
import { TemplateDetail, Templates } from './pages/Templates.tsx';
import { Login } from './pages/Login.tsx';
import { MciDetail } from './pages/MciDetail.tsx';
import { Mcis } from './pages/Mcis.tsx';
import { SessionProvider, useMeQuery, useSession } from './session.tsx';

const NAV = [
  { to: '/mcis', label: 'MultiCloud Images' },
  { to: '/templates', label: 'ServerTemplates' },
  { to: '/deployments', label: 'Deployments' },
  { to: '/coverage', label: 'Coverage' },
  { to: '/marketplace', label: 'Marketplace' },
  { to: '/sharing', label: 'Sharing' },
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
            <Route path="/mcis" element={<Mcis />} />
            <Route path="/mcis/:id" element={<MciDetail />} />
            <Route path="/mcis/:id/diff" element={<MciDiff />} />
            <Route path="/mcis/:id/merge" element={<MciMerge />} />
            <Route path="/templates" element={<Templates />} />
            <Route path="/templates/:id" element={<TemplateDetail />} />
            <Route path="/coverage" element={<Coverage />} />
            <Route path="/deployments" element={<Deployments />} />
            <Route path="/deployments/:d" element={<DeploymentDetail />} />
            <Route path="/deployments/:d/servers/:s" element={<ServerDetail />} />
            <Route path="/marketplace" element={<Marketplace />} />
            <Route path="/sharing" element={<Sharing />} />
            <Route path="/catalog" element={<Catalog />} />
            <Route path="*" element={<Empty>Nothing here.</Empty>} />
          </Routes>
        ) : me.user.isSuperuser ? (
          <FirstAccount />
        ) : (
          <Empty>You are not a member of any account yet: ask an account admin to add you.</Empty>
        )}
      </AppShell.Main>
    </AppShell>
  );
}

/** Signs in, then shows the dashboard for the chosen account. */
export function App() {
  const me = useMeQuery();
  if (me.isPending) return <Loading what="your session" />;
  if (me.error) return <ProblemAlert error={me.error} />;
  if (!me.data) return <Login />;
  return (
    <SessionProvider me={me.data}>
      <Shell />
    </SessionProvider>
  );
}
