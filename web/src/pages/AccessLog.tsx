import { Card, Empty, List, Spin } from 'antd';
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

/**
 * A person's (or their child's) access log: who viewed or handled the data, what, and why. A list,
 * not a table: guardians read it on phones.
 */
export function AccessLogPage() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const log = useApi(() => api.get<{ items: Entry[] }>(`/persons/${id}/access-log?limit=100`), [id]);
  if (log.error) return <LoadError error={log.error} onRetry={log.reload} />;
  if (!log.data) return <Spin description={t('loading')} />;
  return (
    <Card title={t('accessLog')}>
      <List<Entry>
        dataSource={log.data.items}
        locale={{ emptyText: <Empty description={t('noData')} /> }}
        renderItem={(e) => (
          <List.Item>
            <List.Item.Meta
              title={e.purpose ? `${e.actionLabel}（${t('purpose')}：${e.purpose}）` : e.actionLabel}
              description={`${e.actor.isYou ? t('you') : (e.actor.name ?? e.actor.kind)} · ${new Date(
                e.at,
              ).toLocaleString(lang)}`}
            />
          </List.Item>
        )}
      />
    </Card>
  );
}
