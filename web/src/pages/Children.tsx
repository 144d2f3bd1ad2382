import { Empty, Table } from 'antd';
import { Link } from 'react-router';
import { api } from '../api';
import { LoadError } from '../components/LoadError';
import { useI18n } from '../i18n';
import { useApi } from '../useApi';

interface Child {
  personId: string;
  name: string;
  birthDate: string | null;
  relationName: string | null;
  relationNameEn: string | null;
  school: { id: string; name: string } | null;
  class: { id: string; name: string } | null;
}

/** A guardian's children: exactly what GET /me/children answers (the API decides who they are). */
export function ChildrenPage() {
  const { t, lang } = useI18n();
  const children = useApi(() => api.get<{ items: Child[] }>('/me/children'), []);
  if (children.error) return <LoadError error={children.error} onRetry={children.reload} />;
  return (
    <Table<Child>
      rowKey="personId"
      loading={!children.data}
      dataSource={children.data?.items ?? []}
      pagination={false}
      scroll={{ x: true }}
      locale={{ emptyText: <Empty description={t('noChildren')} /> }}
      columns={[
        { title: t('childName'), render: (_, c) => <Link to={`/persons/${c.personId}`}>{c.name}</Link> },
        { title: t('birthDate'), dataIndex: 'birthDate' },
        { title: t('relation'), render: (_, c) => (lang === 'en' ? c.relationNameEn : c.relationName) ?? '' },
        { title: t('school'), render: (_, c) => c.school?.name ?? '' },
        { title: t('className'), render: (_, c) => c.class?.name ?? '' },
        {
          title: t('accessLog'),
          render: (_, c) => <Link to={`/persons/${c.personId}/access-log`}>{t('accessLog')}</Link>,
        },
      ]}
    />
  );
}
