import { Alert, Button, Card, Descriptions, Form, Input, Modal, Select, Space, Tag } from 'antd';
import { useState } from 'react';
import { ApiError, api } from '../api';
import { type MessageKey, useI18n } from '../i18n';
import { useCan } from '../session';
import { useApi } from '../useApi';
import type { OrgUnit } from './Org';
import { UnitSelect } from './Users';

interface Unit extends OrgUnit {
  districtId: string;
  version: number;
}

type Action = 'rename' | 'close' | 'child' | 'move';

/** What a bureau or school administrator does to a unit: rename, add a campus or school, move, close, reopen. */
export function UnitPanel({ unitId, onChanged }: { unitId: string; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const unit = useApi(() => api.get<Unit>(`/org-units/${unitId}`), [unitId]);
  const types = useApi(
    () => api.get<{ id: string; name: { 'zh-CN': string; en: string } }[]>('/reference/school-types'),
    [],
  );
  const [action, setAction] = useState<Action | null>(null);
  const [message, setMessage] = useState<{ type: 'success' | 'error'; text: string } | null>(null);
  const [form] = Form.useForm();
  // Offered to whoever may ever change organisations (the API still decides for each unit).
  const mayChange = useCan('org.close');
  const mayRename = useCan('org.update');

  if (!unit.data) return <Card title={t('unitDetails')} loading />;
  const u = unit.data;
  const childKind = ({ districtBureau: 'school', school: 'campus' } as const)[
    u.kind as 'districtBureau' | 'school'
  ];

  const submit = async () => {
    const v = await form.validateFields();
    setMessage(null);
    try {
      if (action === 'rename') await api.patch(`/org-units/${u.id}`, { version: u.version, name: v.name });
      if (action === 'close')
        await api.post(`/org-units/${u.id}/close`, { reason: v.reason, version: u.version });
      if (action === 'move')
        await api.post(`/org-units/${u.id}/move`, { newParentId: v.parentId, version: u.version });
      if (action === 'child') {
        await api.post('/org-units', {
          kind: childKind,
          parentId: u.id,
          name: v.name,
          ...(childKind === 'school' ? { schoolType: v.schoolType } : {}),
        });
      }
      setAction(null);
      form.resetFields();
      setMessage({ type: 'success', text: t('saved') });
      void unit.reload();
      onChanged();
    } catch (e) {
      setMessage({
        type: 'error',
        text: e instanceof ApiError ? (e.problem.detail ?? e.problem.title) : t('errorTitle'),
      });
    }
  };

  const act = (a: Action) => {
    form.resetFields();
    if (a === 'rename') form.setFieldsValue({ name: u.name });
    setAction(a);
  };

  return (
    <Card title={t('unitDetails')}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        {message && <Alert type={message.type} showIcon title={message.text} role="status" />}
        <Descriptions
          column={1}
          items={[
            { key: 'name', label: t('name'), children: u.name },
            { key: 'kind', label: t('orgUnit'), children: t(`kind_${u.kind}` as MessageKey) },
            {
              key: 'status',
              label: t('status'),
              children:
                u.status === 'active' ? (
                  <Tag color="#166534">{t('statusActive')}</Tag>
                ) : (
                  <Tag>{t('statusClosed')}</Tag>
                ),
            },
          ]}
        />
        <Space wrap>
          {mayRename && <Button onClick={() => act('rename')}>{t('rename')}</Button>}
          {mayChange && childKind && u.status === 'active' && (
            <Button onClick={() => act('child')}>{t('addChild')}</Button>
          )}
          {mayChange && u.kind !== 'districtBureau' && u.status === 'active' && (
            <Button onClick={() => act('move')}>{t('moveUnit')}</Button>
          )}
          {mayChange &&
            u.kind !== 'districtBureau' &&
            (u.status === 'active' ? (
              <Button danger onClick={() => act('close')}>
                {t('closeUnit')}
              </Button>
            ) : (
              <Button
                onClick={() =>
                  void api
                    .post(`/org-units/${u.id}/reopen`, { version: u.version })
                    .then(() => {
                      void unit.reload();
                      onChanged();
                    })
                    .catch((e) =>
                      setMessage({
                        type: 'error',
                        text: e instanceof ApiError ? e.problem.title : t('errorTitle'),
                      }),
                    )
                }
              >
                {t('reopenUnit')}
              </Button>
            ))}
        </Space>
      </Space>
      <Modal
        open={action !== null}
        title={
          action
            ? t(
                ({ rename: 'rename', close: 'closeUnit', child: 'addChild', move: 'moveUnit' } as const)[
                  action
                ],
              )
            : ''
        }
        okText={t('confirm')}
        cancelText={t('cancel')}
        onOk={() => void submit()}
        onCancel={() => setAction(null)}
      >
        <Form form={form} layout="vertical">
          {(action === 'rename' || action === 'child') && (
            <Form.Item label={t('name')} name="name" rules={[{ required: true, message: t('name') }]}>
              <Input />
            </Form.Item>
          )}
          {action === 'child' && childKind === 'school' && (
            <Form.Item
              label={t('schoolType')}
              name="schoolType"
              rules={[{ required: true, message: t('schoolType') }]}
            >
              <Select options={(types.data ?? []).map((ty) => ({ value: ty.id, label: ty.name[lang] }))} />
            </Form.Item>
          )}
          {action === 'close' && (
            <Form.Item
              label={t('closeReason')}
              name="reason"
              rules={[{ required: true, message: t('closeReason') }]}
            >
              <Input.TextArea rows={2} maxLength={500} />
            </Form.Item>
          )}
          {action === 'move' && (
            <Form.Item
              label={t('newParent')}
              name="parentId"
              rules={[{ required: true, message: t('newParent') }]}
            >
              <UnitSelect />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Card>
  );
}
