import { Alert, Button, Card, Descriptions, Form, Input, Modal, Space, Tag } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, problemText } from '../api';
import { LoadError } from '../components/LoadError';
import { type MessageKey, useI18n } from '../i18n';
import { useCan } from '../session';
import { useApi } from '../useApi';
import { NewUnitFields } from './NewUnitFields';
import { type OrgUnit, unitPath } from './Org';
import { UnitSelect } from './Users';

export interface Unit extends OrgUnit {
  districtId: string;
  version: number;
  gradeCode: string | null;
  schoolType: string | null;
  ancestors: { id: string | null; kind: OrgUnit['kind'] }[];
}

/** What each kind of unit holds: the tree runs bureau → school → campus → grade → class. */
const CHILD_KIND = { districtBureau: 'school', school: 'campus', campus: 'grade', grade: 'class' } as const;

type Action = 'edit' | 'close' | 'child' | 'move';

/** Kinds with an address and an English name of their own (grades and classes are named by number). */
const HAS_ADDRESS = new Set<OrgUnit['kind']>(['districtBureau', 'school', 'campus']);

/** What a bureau or school administrator does to a unit: edit, add the next level down, move, close, reopen. */
export function UnitPanel({ unitId, onChanged }: { unitId: string; onChanged: () => void }) {
  const { t } = useI18n();
  const unit = useApi(() => api.get<Unit>(`/org-units/${unitId}`), [unitId]);
  const [action, setAction] = useState<Action | null>(null);
  const [message, setMessage] = useState<{ type: 'success' | 'error'; text: string } | null>(null);
  const [form] = Form.useForm();
  // Offered to whoever may ever do each (GET /auth/me `can`); the API still decides for each unit.
  const mayClose = useCan('org.close');
  const mayMove = useCan('org.move');
  const mayCreate = useCan('org.create');
  const mayEdit = useCan('org.update');

  if (unit.error) return <LoadError error={unit.error} onRetry={unit.reload} />;
  if (!unit.data) return <Card title={t('unitDetails')} loading />;
  const u = unit.data;
  const childKind = u.kind === 'class' ? undefined : CHILD_KIND[u.kind];

  const submit = async () => {
    const v = await form.validateFields();
    setMessage(null);
    try {
      if (action === 'edit') {
        await api.patch(`/org-units/${u.id}`, {
          version: u.version,
          name: v.name,
          ...(HAS_ADDRESS.has(u.kind) ? { nameEn: v.nameEn || null, address: v.address || null } : {}),
          ...(u.kind === 'school' ? { schoolCode: v.schoolCode || null } : {}),
        });
      }
      if (action === 'close')
        await api.post(`/org-units/${u.id}/close`, { reason: v.reason, version: u.version });
      if (action === 'move')
        await api.post(`/org-units/${u.id}/move`, { newParentId: v.parentId, version: u.version });
      if (action === 'child') await api.post('/org-units', { kind: childKind, parentId: u.id, ...v });
      setAction(null);
      form.resetFields();
      setMessage({ type: 'success', text: t('saved') });
      void unit.reload();
      onChanged();
    } catch (e) {
      setMessage({ type: 'error', text: problemText(e, t('errorTitle')) });
    }
  };

  const act = (a: Action) => {
    form.resetFields();
    setMessage(null);
    if (a === 'edit') {
      form.setFieldsValue({ name: u.name, nameEn: u.nameEn, address: u.address, schoolCode: u.schoolCode });
    }
    setAction(a);
  };

  return (
    <Card
      title={t('unitDetails')}
      extra={
        unitPath(u) && (
          <Link to={unitPath(u) ?? ''}>{t(u.kind === 'school' ? 'openSchool' : 'openClass')}</Link>
        )
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        {/* While a dialog is open its failure shows in the dialog, where the user is. */}
        {message && action === null && (
          <Alert
            type={message.type}
            showIcon
            title={message.text}
            role={message.type === 'error' ? 'alert' : 'status'}
          />
        )}
        <Descriptions
          column={1}
          items={[
            { key: 'name', label: t('name'), children: u.name },
            { key: 'kind', label: t('orgUnit'), children: t(`kind_${u.kind}` as MessageKey) },
            ...(u.kind === 'school'
              ? [{ key: 'code', label: t('schoolCode'), children: u.schoolCode ?? '—' }]
              : []),
            ...(HAS_ADDRESS.has(u.kind)
              ? [{ key: 'address', label: t('address'), children: u.address ?? '—' }]
              : []),
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
          {mayEdit && <Button onClick={() => act('edit')}>{t('editUnit')}</Button>}
          {mayCreate && childKind && u.status === 'active' && (
            <Button onClick={() => act('child')}>{t(`add_${childKind}`)}</Button>
          )}
          {mayMove && u.kind !== 'districtBureau' && u.status === 'active' && (
            <Button onClick={() => act('move')}>{t('moveUnit')}</Button>
          )}
          {mayClose &&
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
                        text: problemText(e, t('errorTitle')),
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
                action === 'child' && childKind
                  ? `add_${childKind}`
                  : ({ edit: 'editUnit', close: 'closeUnit', child: 'addChild', move: 'moveUnit' } as const)[
                      action
                    ],
              )
            : ''
        }
        okText={t('confirm')}
        cancelText={t('cancel')}
        onOk={() => void submit()}
        onCancel={() => {
          setAction(null);
          setMessage(null);
        }}
      >
        {message?.type === 'error' && (
          <Alert type="error" showIcon title={message.text} role="alert" style={{ marginBottom: 12 }} />
        )}
        <Form form={form} layout="vertical">
          {action === 'child' && childKind && <NewUnitFields parent={u} kind={childKind} form={form} />}
          {action === 'edit' && (
            <>
              <Form.Item label={t('name')} name="name" rules={[{ required: true, message: t('name') }]}>
                <Input maxLength={100} />
              </Form.Item>
              {HAS_ADDRESS.has(u.kind) && (
                <>
                  <Form.Item label={t('nameEn')} name="nameEn">
                    <Input maxLength={200} lang="en" />
                  </Form.Item>
                  <Form.Item label={t('address')} name="address">
                    <Input maxLength={200} />
                  </Form.Item>
                </>
              )}
              {u.kind === 'school' && (
                <Form.Item label={t('schoolCode')} name="schoolCode" extra={t('schoolCodeHint')}>
                  <Input maxLength={10} inputMode="numeric" />
                </Form.Item>
              )}
            </>
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
