import { Card, Empty, Table } from 'antd';
import { useParams } from 'react-router';
import { api } from '../api';
import { LoadError } from '../components/LoadError';
import { useI18n } from '../i18n';
import { useApi } from '../useApi';

interface Entry {
  at: string;
  actor: { kind: string; name: string | null; isYou: boolean };
  action: string;
  actionLabel: string;
  purpose: string | null;
  outcome: string;
}

/** A person's (or their child's) access log: who viewed or handled the data, what, and why. */
export function AccessLogPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const log = useApi(() => api.get<{ items: Entry[] }>(`/persons/${id}/access-log?limit=100`), [id]);
  if (log.error) return <LoadError error={log.error} onRetry={log.reload} />;
  return (
    <Card title={t('accessLog')}>
      <Table<Entry>
        rowKey={(e, i) => `${e.at}-${i}`}
        loading={!log.data}
        dataSource={log.data?.items ?? []}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: <Empty description={t('noData')} /> }}
        columns={[
          { title: t('at'), render: (_, e) => new Date(e.at).toLocaleString() },
          { title: t('who'), render: (_, e) => (e.actor.isYou ? t('you') : (e.actor.name ?? e.actor.kind)) },
          { title: t('what'), dataIndex: 'actionLabel' },
          { title: t('purpose'), render: (_, e) => e.purpose ?? '' },
        ]}
      />
    </Card>
  );
}
