import { Alert, App, Button, Card, Checkbox, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, problemText } from '../api';
import { LoadError } from '../components/LoadError';
import { useI18n } from '../i18n';
import { useCan } from '../session';
import { useApi } from '../useApi';

interface GuardianItem {
  relationId: string;
  personId: string;
  name: string;
  phoneMasked: string | null;
  relationName: string | null;
  relationNameEn: string | null;
  isPrimary: boolean;
  startedAt: string;
  endedAt: string | null;
  hasAccount: boolean;
}

interface NewGuardian {
  name: string;
  relationCode: string;
  phone: string;
  idNumber?: string;
  isPrimary?: boolean;
}

type Notice = { type: 'success' | 'error'; text: string };

/**
 * A student's guardians as the school keeps them: list (ended ones on request), register one,
 * end a relation, hand out an activation code. The API decides who may do which.
 */
export function Guardians({ studentId }: { studentId: string }) {
  const { t, lang } = useI18n();
  const mayManage = useCan('guardian.manage');
  const { modal } = App.useApp();
  const [includeEnded, setIncludeEnded] = useState(false);
  const list = useApi(
    () => api.get<{ items: GuardianItem[] }>(`/students/${studentId}/guardians?includeEnded=${includeEnded}`),
    [studentId, includeEnded],
  );
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);

  const failed = (e: unknown): Notice => ({
    type: 'error',
    text: problemText(e, t('errorTitle')),
  });
  const end = (g: GuardianItem) =>
    modal.confirm({
      title: t('endGuardianConfirm', { name: g.name }),
      okText: t('confirm'),
      cancelText: t('cancel'),
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          await api.post(`/guardian-relations/${g.relationId}/end`);
          setNotice({ type: 'success', text: t('saved') });
          void list.reload();
        } catch (e) {
          setNotice(failed(e));
        }
      },
    });
  const activationCode = async (g: GuardianItem) => {
    try {
      const r = await api.post<{ code: string; expiresAt: string }>(
        `/guardians/${g.personId}/activation-code`,
      );
      setNotice({
        type: 'success',
        text: t('activationCodeIssued', { name: g.name, code: r.code, until: r.expiresAt.slice(0, 10) }),
      });
    } catch (e) {
      setNotice(failed(e));
    }
  };

  return (
    <Card
      title={t('guardians')}
      size="small"
      extra={
        <Space wrap>
          <Checkbox checked={includeEnded} onChange={(e) => setIncludeEnded(e.target.checked)}>
            {t('showEnded')}
          </Checkbox>
          {mayManage && <Button onClick={() => setAdding(true)}>{t('addGuardian')}</Button>}
        </Space>
      }
    >
      {notice && (
        <Alert
          type={notice.type}
          showIcon
          closable={{ 'aria-label': t('close') }}
          onClose={() => setNotice(null)}
          title={notice.text}
          role={notice.type === 'error' ? 'alert' : 'status'}
          style={{ marginBottom: 12 }}
        />
      )}
      {list.error ? (
        <LoadError error={list.error} onRetry={list.reload} />
      ) : (
        <Table<GuardianItem>
          rowKey="relationId"
          size="small"
          scroll={{ x: true }}
          pagination={false}
          loading={!list.data}
          dataSource={list.data?.items ?? []}
          columns={[
            { title: t('childName'), dataIndex: 'name' },
            {
              title: t('relation'),
              render: (_, g) => (
                <>
                  {(lang === 'en' ? g.relationNameEn : g.relationName) ?? ''}{' '}
                  {g.isPrimary && <Tag color="#1d4ed8">{t('primaryContact')}</Tag>}
                </>
              ),
            },
            { title: t('phone'), dataIndex: 'phoneMasked' },
            {
              title: t('status'),
              render: (_, g) =>
                g.endedAt ? (
                  <Tag>{t('ended')}</Tag>
                ) : (
                  <Tag color="#166534">{g.hasAccount ? t('hasAccount') : t('inForce')}</Tag>
                ),
            },
            ...(mayManage
              ? [
                  {
                    title: t('actions'),
                    render: (_: unknown, g: GuardianItem) =>
                      g.endedAt ? null : (
                        <Space wrap size="small">
                          {!g.hasAccount && (
                            <Button size="small" onClick={() => void activationCode(g)}>
                              {t('activationCode')}
                            </Button>
                          )}
                          <Button size="small" danger onClick={() => end(g)}>
                            {t('endGuardian')}
                          </Button>
                        </Space>
                      ),
                  },
                ]
              : []),
          ]}
        />
      )}
      {adding && (
        <AddGuardian
          studentId={studentId}
          onClose={() => setAdding(false)}
          onAdded={() => {
            setAdding(false);
            setNotice({ type: 'success', text: t('saved') });
            void list.reload();
          }}
        />
      )}
    </Card>
  );
}

function AddGuardian({
  studentId,
  onClose,
  onAdded,
}: {
  studentId: string;
  onClose: () => void;
  onAdded: () => void;
}) {
  const { t, lang } = useI18n();
  const relations = useApi(
    () => api.get<{ code: string; name: { 'zh-CN': string; en: string } }[]>('/reference/guardian-relations'),
    [],
  );
  const [form] = Form.useForm<NewGuardian>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const required = (label: string) => [{ required: true, message: label }];

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/students/${studentId}/guardians`, {
        ...v,
        idNumber: v.idNumber || null,
        isPrimary: v.isPrimary ?? false,
      });
      onAdded();
    } catch (e) {
      setError(problemText(e, t('errorTitle')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('addGuardian')}
      okText={t('confirm')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onClose}
    >
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical">
        <Form.Item label={t('childName')} name="name" rules={required(t('childName'))}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item label={t('relation')} name="relationCode" rules={required(t('relation'))}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            loading={!relations.data}
            options={(relations.data ?? []).map((r) => ({ value: r.code, label: r.name[lang] }))}
          />
        </Form.Item>
        <Form.Item label={t('phone')} name="phone" rules={required(t('phone'))}>
          <Input inputMode="tel" maxLength={32} autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('idNumber')} name="idNumber" extra={t('guardianIdHint')}>
          <Input maxLength={18} autoComplete="off" />
        </Form.Item>
        <Form.Item name="isPrimary" valuePropName="checked">
          <Checkbox>{t('primaryContact')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
