import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Input, Space, Table } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api';
import { LoadError } from '../components/LoadError';
import { useI18n } from '../i18n';
import { useApi } from '../useApi';

interface RosterItem {
  personId: string;
  name: string;
  genderCode: string | null;
  birthDate: string | null;
  idMasked: string | null;
  studentNumberMasked: string | null;
  status: string;
  className: string | null;
}

const GENDER: Record<string, [string, string]> = { '1': ['男', 'Male'], '2': ['女', 'Female'] };

/** A class roster: searched, sorted and paged by the API; exported as the API's masked file. */
export function ClassPage() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const [query, setQuery] = useState({ q: '', sort: 'name', order: 'asc', page: 1, pageSize: 20 });
  const roster = useApi(() => {
    const params = new URLSearchParams({
      ...query,
      page: String(query.page),
      pageSize: String(query.pageSize),
    });
    if (!query.q) params.delete('q');
    return api.get<{ items: RosterItem[]; total: number }>(`/classes/${id}/roster?${params}`);
  }, [id, query]);

  if (roster.error) return <LoadError error={roster.error} onRetry={roster.reload} />;
  const title = roster.data?.items[0]?.className ?? t('classes');
  return (
    <Card
      title={title}
      extra={
        <Button icon={<DownloadOutlined />} href={`/api/v1/classes/${id}/roster/export?format=xlsx`} download>
          {t('exportXlsx')}
        </Button>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Input.Search
          aria-label={t('search')}
          placeholder={t('search')}
          allowClear
          style={{ maxWidth: 320 }}
          onSearch={(q) => setQuery((prev) => ({ ...prev, q, page: 1 }))}
        />
        <Table<RosterItem>
          rowKey="personId"
          loading={!roster.data}
          dataSource={roster.data?.items ?? []}
          scroll={{ x: true }}
          pagination={{
            current: query.page,
            pageSize: query.pageSize,
            total: roster.data?.total ?? 0,
            showTotal: (n) => t('total', { n }),
          }}
          onChange={(pagination, _filters, sorter) => {
            const s = Array.isArray(sorter) ? sorter[0] : sorter;
            setQuery((prev) => ({
              ...prev,
              page: pagination.current ?? 1,
              pageSize: pagination.pageSize ?? prev.pageSize,
              sort: s?.columnKey === 'studentNumber' ? 'studentNumber' : 'name',
              order: s?.order === 'descend' ? 'desc' : 'asc',
            }));
          }}
          columns={[
            {
              key: 'name',
              title: t('childName'),
              sorter: true,
              render: (_, r) => <Link to={`/persons/${r.personId}`}>{r.name}</Link>,
            },
            {
              key: 'gender',
              title: t('gender'),
              render: (_, r) => (r.genderCode ? (GENDER[r.genderCode]?.[lang === 'en' ? 1 : 0] ?? '') : ''),
            },
            { key: 'birthDate', title: t('birthDate'), dataIndex: 'birthDate' },
            { key: 'idMasked', title: t('idNumber'), dataIndex: 'idMasked' },
            {
              key: 'studentNumber',
              title: t('studentNumber'),
              dataIndex: 'studentNumberMasked',
              sorter: true,
            },
          ]}
        />
      </Space>
    </Card>
  );
}
