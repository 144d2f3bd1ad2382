import { Card, Empty, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { useI18n } from '../i18n';
import type { NavItem } from '../nav';
import { type Me, roleNameIn } from '../session';

/** Each role's starting point: who you are here, and the pages your roles offer. */
export function HomePage({ me, items }: { me: Me; items: NavItem[] }) {
  const { t, lang } = useI18n();
  const pages = items.filter((i) => i.path !== '/');
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 22 }}>
        {t('welcome', { name: me.user.displayName })}
      </Typography.Title>
      <Card title={t('yourRoles')}>
        {me.roles.length === 0 ? (
          <Empty description={t('noRoles')} />
        ) : (
          <Space wrap>
            {me.roles.map((r) => (
              <Tag key={r} color="blue">
                {roleNameIn(me, r, lang)}
              </Tag>
            ))}
          </Space>
        )}
      </Card>
      {pages.length > 0 && (
        <Space wrap>
          {pages.map((p) => (
            <Card key={p.path} size="small">
              <Link to={p.path}>{t(p.label)}</Link>
            </Card>
          ))}
        </Space>
      )}
    </Space>
  );
}
