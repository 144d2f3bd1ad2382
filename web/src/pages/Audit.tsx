import { Alert, Button, Card, DatePicker, Form, Input, Space, Table } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, problemText } from '../api';
import { type MessageKey, useI18n } from '../i18n';

interface AuditEvent {
  districtId: string;
  seq: number;
  at: string;
  actorId: string | null;
  actorKind: string;
  actor: { name: string | null; username: string | null };
  action: string;
  targetType: string | null;
  targetId: string | null;
  subjectIds: string[];
  purpose: string | null;
  outcome: 'success' | 'denied' | 'failure';
}

interface Filters {
  /** A person's ID number, looked up (POST /persons/lookup) so it never travels in a URL. */
  subjectIdNumber?: string;
  actorUsername?: string;
  action?: string;
  dates?: [Dayjs, Dayjs] | null;
}

interface VerifyReport {
  ok: boolean;
  districts: {
    districtId: string;
    events: number;
    ok: boolean;
    firstBroken?: { seq: number; reason: string };
  }[];
}

/** Bureau administrators: search the audit trail by person, actor, action and date; verify the chain. */
export function AuditPage() {
  const { t, lang } = useI18n();
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [filters, setFilters] = useState<Filters>({});
  const [error, setError] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<{ ok: boolean; text: string } | null>(null);
  const [loading, setLoading] = useState(false);

  const query = async (f: Filters, before?: number) => {
    const params = new URLSearchParams({ limit: '50' });
    if (f.subjectIdNumber?.trim()) {
      const found = await api.post<{ items: { id: string }[] }>('/persons/lookup', {
        idType: '1',
        idNumber: f.subjectIdNumber.trim(),
      });
      if (found.items.length === 0) return null;
      params.set('subjectId', found.items[0]?.id ?? '');
    }
    if (f.actorUsername) params.set('actorUsername', f.actorUsername.trim());
    if (f.action) params.set('action', f.action.trim());
    if (f.dates) {
      params.set('from', f.dates[0].format('YYYY-MM-DD'));
      params.set('to', f.dates[1].format('YYYY-MM-DD'));
    }
    if (before) params.set('before', String(before));
    return params;
  };

  const search = async (f: Filters, more = false) => {
    setLoading(true);
    setError(null);
    try {
      const params = await query(f, more ? (nextBefore ?? undefined) : undefined);
      if (!params) {
        setError(t('personNotFound'));
        setEvents(null);
        return;
      }
      const page = await api.get<{ items: AuditEvent[]; nextBefore: number | null }>(
        `/audit/events?${params}`,
      );
      setEvents((prev) => (more && prev ? [...prev, ...page.items] : page.items));
      setNextBefore(page.nextBefore);
      setFilters(f);
    } catch (e) {
      setError(problemText(e, t('errorTitle')));
    } finally {
      setLoading(false);
    }
  };

  const verify = async () => {
    setVerdict(null);
    try {
      const report = await api.post<VerifyReport>('/audit/verify');
      const broken = report.districts.find((d) => !d.ok);
      const events = report.districts.reduce((n, d) => n + d.events, 0);
      setVerdict(
        broken?.firstBroken
          ? { ok: false, text: t('chainBroken', broken.firstBroken) }
          : { ok: report.ok, text: t('chainOk', { events }) },
      );
    } catch (e) {
      setError(problemText(e, t('errorTitle')));
    }
  };

  return (
    <Card title={t('navAudit')} extra={<Button onClick={() => void verify()}>{t('verifyChain')}</Button>}>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {verdict && (
          <Alert type={verdict.ok ? 'success' : 'error'} showIcon title={verdict.text} role="status" />
        )}
        <Form layout="inline" onFinish={(f: Filters) => void search(f)}>
          <Form.Item label={t('subjectIdNumber')} name="subjectIdNumber">
            <Input allowClear autoComplete="off" maxLength={18} />
          </Form.Item>
          <Form.Item label={t('actorUsername')} name="actorUsername">
            <Input allowClear autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('actionPrefix')} name="action">
            <Input allowClear placeholder="person." />
          </Form.Item>
          <Form.Item label={t('dateRange')} name="dates">
            <DatePicker.RangePicker />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={loading}>
            {t('auditSearch')}
          </Button>
        </Form>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        {events && (
          <Table<AuditEvent>
            rowKey={(e) => `${e.districtId}-${e.seq}`}
            size="small"
            scroll={{ x: true }}
            pagination={false}
            dataSource={events}
            columns={[
              { title: t('at'), render: (_, e) => new Date(e.at).toLocaleString(lang) },
              {
                title: t('who'),
                render: (_, e) =>
                  e.actor.name
                    ? `${e.actor.name}${e.actor.username ? `（${e.actor.username}）` : ''}`
                    : t(`actor_${e.actorKind}` as MessageKey),
              },
              { title: t('action'), dataIndex: 'action' },
              {
                title: t('target'),
                render: (_, e) => (e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : ''),
              },
              { title: t('subjects'), render: (_, e) => e.subjectIds.length },
              { title: t('purpose'), dataIndex: 'purpose' },
              { title: t('outcome'), render: (_, e) => t(`outcome_${e.outcome}`) },
            ]}
            footer={
              nextBefore
                ? () => (
                    <Button onClick={() => void search(filters, true)} loading={loading}>
                      {t('loadMore')}
                    </Button>
                  )
                : undefined
            }
          />
        )}
      </Space>
    </Card>
  );
}
