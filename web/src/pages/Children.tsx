import { Alert, Button, Empty, Table } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, api } from '../api';
import { useI18n } from '../i18n';

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
  const [children, setChildren] = useState<Child[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setChildren((await api.get<{ items: Child[] }>('/me/children')).items);
    } catch (e) {
      setError(e instanceof ApiError ? e.problem.title : t('errorTitle'));
    }
  }, [t]);

  useEffect(() => {
    void load();
  }, [load]);

  if (error) {
    return (
      <Alert
        type="error"
        showIcon
        title={error}
        action={<Button onClick={() => void load()}>{t('retry')}</Button>}
      />
    );
  }
  return (
    <Table<Child>
      rowKey="personId"
      loading={children === null}
      dataSource={children ?? []}
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
