import {
  App as AntApp,
  Breadcrumb,
  Button,
  ConfigProvider,
  Grid,
  Layout,
  Menu,
  Space,
  Spin,
  Typography,
} from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router';
import { apiSettings } from './api';
import { type MessageKey, useI18n } from './i18n';
import { itemsFor, type NavItem } from './nav';
import { HomePage } from './pages/Home';
import { NotFoundPage } from './pages/NotFound';
import { SignInPage } from './pages/SignIn';
import { useSession } from './session';

// Pages load when first opened, so a guardian's phone does not fetch the bureau's charts.
const AccessLogPage = lazy(async () => ({ default: (await import('./pages/AccessLog')).AccessLogPage }));
const AuditPage = lazy(async () => ({ default: (await import('./pages/Audit')).AuditPage }));
const ChildrenPage = lazy(async () => ({ default: (await import('./pages/Children')).ChildrenPage }));
const ClassPage = lazy(async () => ({ default: (await import('./pages/Class')).ClassPage }));
const ImportsPage = lazy(async () => ({ default: (await import('./pages/Imports')).ImportsPage }));
const OrgPage = lazy(async () => ({ default: (await import('./pages/Org')).OrgPage }));
const OverviewPage = lazy(async () => ({ default: (await import('./pages/Overview')).OverviewPage }));
const PersonPage = lazy(async () => ({ default: (await import('./pages/Person')).PersonPage }));
const SchoolPage = lazy(async () => ({ default: (await import('./pages/School')).SchoolPage }));
const UsersPage = lazy(async () => ({ default: (await import('./pages/Users')).UsersPage }));

/** Colours with at least 4.5:1 contrast on white (WCAG AA), which antd's greys do not all reach. */
const theme = {
  token: {
    colorPrimary: '#1d4ed8',
    colorLink: '#1d4ed8',
    colorInfo: '#1d4ed8',
    colorError: '#b91c1c',
    // The focus shadow around fields, strong enough to see.
    controlOutline: 'rgba(29, 78, 216, 0.45)',
    colorTextSecondary: '#475569',
    colorTextTertiary: '#475569',
    colorTextDescription: '#475569',
  },
  components: { Breadcrumb: { linkColor: '#475569', separatorColor: '#475569', lastItemColor: '#0f172a' } },
};

/** Where a page sits under 首页: its menu item, or what kind of record it shows. */
const RECORD_PAGES: Record<string, MessageKey> = {
  imports: 'importTitle',
  'access-log': 'accessLog',
  schools: 'schoolInfo',
  classes: 'classes',
  persons: 'profile',
};

function breadcrumbOf(pathname: string, items: NavItem[]): MessageKey[] {
  if (pathname === '/') return [];
  const item = items.find((i) => i.path === pathname);
  if (item) return [item.label];
  const parts = pathname.split('/');
  const record = RECORD_PAGES[parts[3] ?? ''] ?? RECORD_PAGES[parts[1] ?? ''];
  return record ? [record] : [];
}

/** The shell: sign-in when signed out; otherwise header, role-aware menu, breadcrumb and the page. */
export function App() {
  const { lang } = useI18n();
  useEffect(() => apiSettings.setLang(lang), [lang]);
  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={theme}>
      <AntApp>
        <Body />
      </AntApp>
    </ConfigProvider>
  );
}

function LanguageSwitch({ onDark = false }: { onDark?: boolean }) {
  const { lang, setLang, t } = useI18n();
  return (
    <Button
      type="text"
      style={onDark ? { color: '#fff' } : undefined}
      lang={lang === 'en' ? 'zh-CN' : 'en'}
      aria-label={lang === 'en' ? '切换到中文' : 'Switch to English'}
      onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}
    >
      {t('language')}
    </Button>
  );
}

function Body() {
  const { state, signOut } = useSession();
  const { t } = useI18n();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  if (state.status === 'loading') {
    return (
      <main style={{ display: 'grid', placeItems: 'center', minHeight: '100vh' }}>
        <Spin description={t('loading')}>
          <div style={{ width: 120, height: 60 }} />
        </Spin>
      </main>
    );
  }
  if (state.status === 'signedOut') {
    return <SignInPage expired={state.expired} languageSwitch={<LanguageSwitch />} />;
  }
  const items = itemsFor(state.me);
  const trail = breadcrumbOf(location.pathname, items);
  const menu = (mode: 'inline' | 'horizontal') => (
    <nav aria-label={t('appName')}>
      <Menu
        mode={mode}
        selectedKeys={[location.pathname]}
        items={items.map((i) => ({ key: i.path, label: <Link to={i.path}>{t(i.label)}</Link> }))}
      />
    </nav>
  );
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <Layout.Header
        style={{ display: 'flex', alignItems: 'center', gap: 16, background: '#0f172a', paddingInline: 16 }}
      >
        <Typography.Title level={1} style={{ color: '#fff', fontSize: 18, margin: 0, flex: 1 }}>
          {t('appName')}
        </Typography.Title>
        <Space wrap>
          {screens.md && <span style={{ color: '#e2e8f0' }}>{state.me.user.displayName}</span>}
          <LanguageSwitch onDark />
          <Button onClick={() => void signOut()}>{t('signOut')}</Button>
        </Space>
      </Layout.Header>
      {/* Phones: the menu runs across under the header; wider screens get a side menu. */}
      {!screens.md && menu('horizontal')}
      <Layout>
        {screens.md && (
          <Layout.Sider theme="light" width={200}>
            {menu('inline')}
          </Layout.Sider>
        )}
        <Layout.Content id="main" tabIndex={-1} style={{ padding: '16px', outline: 'none' }}>
          <Breadcrumb
            style={{ marginBottom: 16 }}
            items={[
              { title: <Link to="/">{t('home')}</Link> },
              ...trail.map((label) => ({ title: t(label) })),
            ]}
          />
          <Suspense fallback={<Spin description={t('loading')} />}>
            <Routes>
              <Route path="/" element={<HomePage me={state.me} items={items} />} />
              {items.some((i) => i.path === '/children') && (
                <Route path="/children" element={<ChildrenPage />} />
              )}
              <Route path="/overview" element={<OverviewPage />} />
              <Route path="/org" element={<OrgPage />} />
              <Route path="/schools/:id" element={<SchoolPage />} />
              <Route path="/schools/:id/imports" element={<ImportsPage />} />
              <Route path="/classes/:id" element={<ClassPage />} />
              <Route path="/persons/:id" element={<PersonPage />} />
              <Route path="/persons/:id/access-log" element={<AccessLogPage />} />
              <Route path="/audit" element={<AuditPage />} />
              <Route path="/users" element={<UsersPage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
