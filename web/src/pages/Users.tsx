import { Alert, Button, Card, Drawer, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, problemText } from '../api';
import { LoadError } from '../components/LoadError';
import { useI18n } from '../i18n';
import { roleNameIn, useMe } from '../session';
import { useApi } from '../useApi';

interface User {
  id: string;
  username: string;
  displayName: string;
  homeDistrictId: string | null;
  status: 'active' | 'disabled';
  lockedUntil: string | null;
}

interface Grant {
  id: string;
  orgUnitName: string;
  role: string;
  roleName: { 'zh-CN': string; en: string };
  inForce: boolean;
}

/** Users and grants: list, create with a role on an organisation, see and revoke grants, reset passwords. */
export function UsersPage() {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const users = useApi(
    () =>
      api.get<{ items: User[]; total: number }>(`/users?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`),
    [q],
  );
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  if (users.error) return <LoadError error={users.error} onRetry={users.reload} />;
  return (
    <Card
      title={t('navUsers')}
      extra={
        <Button type="primary" onClick={() => setCreating(true)}>
          {t('newUser')}
        </Button>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        {notice && (
          <Alert
            type="success"
            showIcon
            title={notice}
            role="status"
            closable={{ onClose: () => setNotice(null) }}
          />
        )}
        <Input.Search
          aria-label={t('searchUsers')}
          placeholder={t('searchUsers')}
          allowClear
          style={{ maxWidth: 320 }}
          onSearch={setQ}
        />
        <Table<User>
          rowKey="id"
          size="small"
          scroll={{ x: true }}
          loading={!users.data}
          dataSource={users.data?.items ?? []}
          columns={[
            {
              title: t('username'),
              render: (_, u) => (
                <Button type="link" onClick={() => setOpen(u)}>
                  {u.username}
                </Button>
              ),
            },
            { title: t('displayName'), dataIndex: 'displayName' },
            {
              title: t('status'),
              render: (_, u) =>
                u.status === 'active' ? (
                  <Tag color="#166534">{t('statusActive')}</Tag>
                ) : (
                  <Tag>{t('statusDisabled')}</Tag>
                ),
            },
          ]}
        />
      </Space>
      {creating && (
        <CreateUser
          onClose={() => setCreating(false)}
          onCreated={(message) => {
            setNotice(message);
            setCreating(false);
            void users.reload();
          }}
        />
      )}
      {open && <UserGrants user={open} onClose={() => setOpen(null)} />}
    </Card>
  );
}

interface UnitOption {
  value: string;
  label: string;
  districtId: string;
}

/**
 * A search-as-you-type choice of an organisation unit the caller may read; `onUnit` also hears the
 * chosen unit's district (the search answer carries it, so nobody need ask again).
 */
export function UnitSelect({
  onUnit,
  ...props
}: {
  value?: string;
  onChange?: (v: string) => void;
  onUnit?: (unit: { id: string; districtId: string }) => void;
}) {
  const { t } = useI18n();
  const [options, setOptions] = useState<UnitOption[]>([]);
  return (
    <Select<string, UnitOption>
      {...props}
      onSelect={(id, option) => onUnit?.({ id, districtId: option.districtId })}
      showSearch={{
        filterOption: false,
        onSearch: async (text) => {
          if (!text.trim()) return;
          const page = await api.get<{ items: { id: string; name: string; districtId: string }[] }>(
            `/org-units?pageSize=20&q=${encodeURIComponent(text.trim())}`,
          );
          setOptions(page.items.map((u) => ({ value: u.id, label: u.name, districtId: u.districtId })));
        },
      }}
      placeholder={t('chooseUnit')}
      options={options}
      notFoundContent={null}
    />
  );
}

function CreateUser({ onClose, onCreated }: { onClose: () => void; onCreated: (message: string) => void }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const [form] = Form.useForm<{ username: string; displayName: string; role: string; orgUnitId: string }>();
  const [error, setError] = useState<string | null>(null);
  const [password, setPassword] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [districtId, setDistrictId] = useState<string | null>(null);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<{ user: User; initialPassword: string | null }>('/users', {
        username: v.username,
        displayName: v.displayName,
        homeDistrictId: districtId,
        grant: { orgUnitId: v.orgUnitId, role: v.role },
      });
      setPassword(created.initialPassword);
      if (!created.initialPassword) onCreated(t('userCreated', { username: created.user.username }));
    } catch (e) {
      setError(problemText(e, t('errorTitle')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('newUser')}
      okText={password ? t('confirm') : t('newUser')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      onOk={() =>
        password ? onCreated(t('userCreated', { username: form.getFieldValue('username') })) : void submit()
      }
      onCancel={onClose}
    >
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      {password ? (
        <Alert type="warning" showIcon title={t('oneTimePassword', { password })} role="status" />
      ) : (
        <Form form={form} layout="vertical">
          <Form.Item
            label={t('username')}
            name="username"
            rules={[{ required: true, message: t('username') }]}
          >
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item
            label={t('displayName')}
            name="displayName"
            rules={[{ required: true, message: t('displayName') }]}
          >
            <Input />
          </Form.Item>
          <Form.Item label={t('role')} name="role" rules={[{ required: true, message: t('role') }]}>
            <Select options={me.assignableRoles.map((r) => ({ value: r, label: roleNameIn(me, r, lang) }))} />
          </Form.Item>
          <Form.Item
            label={t('orgUnit')}
            name="orgUnitId"
            rules={[{ required: true, message: t('orgUnit') }]}
          >
            <UnitSelect onUnit={(u) => setDistrictId(u.districtId)} />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}

function UserGrants({ user, onClose }: { user: User; onClose: () => void }) {
  const { t, lang } = useI18n();
  const grants = useApi(() => api.get<{ grants: Grant[] }>(`/users/${user.id}/grants`), [user.id]);
  const [message, setMessage] = useState<{ type: 'error' | 'warning'; text: string } | null>(null);

  const run = async (fn: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await fn();
      void grants.reload();
    } catch (e) {
      setMessage({ type: 'error', text: problemText(e, t('errorTitle')) });
    }
  };

  return (
    <Drawer open title={`${user.displayName}（${user.username}）`} onClose={onClose} size="large">
      <Space orientation="vertical" style={{ width: '100%' }}>
        {message && <Alert type={message.type} showIcon title={message.text} role="alert" />}
        <Button
          onClick={() =>
            void run(async () => {
              const res = await api.post<{ password: string }>(`/users/${user.id}/reset-password`);
              setMessage({ type: 'warning', text: t('oneTimePassword', { password: res.password }) });
            })
          }
        >
          {t('resetPassword')}
        </Button>
        {grants.error ? (
          <LoadError error={grants.error} onRetry={grants.reload} />
        ) : (
          <Table<Grant>
            title={() => t('grants')}
            rowKey="id"
            size="small"
            pagination={false}
            loading={!grants.data}
            dataSource={grants.data?.grants ?? []}
            columns={[
              { title: t('role'), render: (_, g) => g.roleName[lang] },
              { title: t('orgUnit'), dataIndex: 'orgUnitName' },
              {
                title: t('status'),
                render: (_, g) =>
                  g.inForce ? <Tag color="#166534">{t('inForce')}</Tag> : <Tag>{t('ended')}</Tag>,
              },
              {
                title: '',
                render: (_, g) =>
                  g.inForce && (
                    <Button
                      size="small"
                      danger
                      onClick={() => void run(() => api.post(`/grants/${g.id}/revoke`))}
                    >
                      {t('revoke')}
                    </Button>
                  ),
              },
            ]}
          />
        )}
      </Space>
    </Drawer>
  );
}
