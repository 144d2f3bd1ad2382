import { Alert, Button, Card, Descriptions, Form, Input, Modal, Select, Space, Spin } from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import { api, problemText } from '../api';
import { LoadError } from '../components/LoadError';
import { useI18n } from '../i18n';
import { useCan, useSession } from '../session';
import { useApi } from '../useApi';
import { Guardians } from './Guardians';
import { Teachers } from './Teachers';

interface Profile {
  id: string;
  name: string;
  genderCode: string | null;
  birthDate: string | null;
  idMasked: string | null;
  phoneMasked: string | null;
  enrolments: {
    enrolmentId: string;
    schoolName: string;
    className: string | null;
    studentNumberMasked: string | null;
  }[];
  guardians: { personId: string; name: string; relationCode: string }[];
}

interface Revealed {
  purposeName: string;
  idNumber?: string | null;
  phone?: string | null;
  studentNumbers?: { enrolmentId: string; studentNumber: string | null }[];
}

/** A person as the caller may see them: masked by the API; L4 only under a declared purpose. */
export function PersonPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const profile = useApi(() => api.get<Profile>(`/persons/${id}`), [id]);
  const [asking, setAsking] = useState(false);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const { state } = useSession();
  const mayAsk = state.status === 'signedIn' && state.me.mayDeclarePurpose;
  const keepsGuardians = useCan('person.read');

  if (profile.error) return <LoadError error={profile.error} onRetry={profile.reload} />;
  if (!profile.data) return <Spin />;
  const p = profile.data;
  const isStudent = p.enrolments.length > 0;
  const inClass = p.enrolments.some((e) => e.className !== null);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={p.name}
        extra={
          mayAsk && (
            <Button onClick={() => setAsking(true)} disabled={revealed !== null}>
              {t('showSensitive')}
            </Button>
          )
        }
      >
        {revealed && <Alert type="info" showIcon title={`${t('revealed')}（${revealed.purposeName}）`} />}
        <Descriptions
          column={{ xs: 1, md: 2 }}
          items={[
            { key: 'birth', label: t('birthDate'), children: p.birthDate ?? '—' },
            { key: 'id', label: t('idNumber'), children: revealed?.idNumber ?? p.idMasked ?? '—' },
            { key: 'phone', label: t('phone'), children: revealed?.phone ?? p.phoneMasked ?? '—' },
            ...p.enrolments.map((e) => ({
              key: e.enrolmentId,
              label: `${t('enrolments')} · ${e.schoolName}${e.className ? ` ${e.className}` : ''}`,
              children:
                revealed?.studentNumbers?.find((s) => s.enrolmentId === e.enrolmentId)?.studentNumber ??
                e.studentNumberMasked ??
                '—',
            })),
            ...(keepsGuardians
              ? []
              : [
                  {
                    key: 'guardians',
                    label: t('guardians'),
                    children: p.guardians.map((g) => g.name).join('、') || '—',
                  },
                ]),
          ]}
        />
        {asking && <PurposeDialog personId={id} onClose={() => setAsking(false)} onRevealed={setRevealed} />}
      </Card>
      {inClass && <Teachers personId={id} />}
      {isStudent && keepsGuardians && <Guardians studentId={id} />}
    </Space>
  );
}

/** Ask for a purpose (POST /purposes), then reveal under it; a bureau role's waits for approval. */
function PurposeDialog({
  personId,
  onClose,
  onRevealed,
}: {
  personId: string;
  onClose: () => void;
  onRevealed: (r: Revealed) => void;
}) {
  const { t } = useI18n();
  const catalogue = useApi(
    () => api.get<{ items: { code: string; name: string }[] }>('/purposes/catalogue'),
    [],
  );
  const [form] = Form.useForm<{ purpose: string; reason: string }>();
  const [message, setMessage] = useState<{ type: 'error' | 'info'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    setMessage(null);
    try {
      const purpose = await api.post<{ id: string; status: string }>('/purposes', { ...values, personId });
      if (purpose.status !== 'active') {
        setMessage({ type: 'info', text: t('pendingApproval') });
        return;
      }
      onRevealed(
        await api.post<Revealed>(`/persons/${personId}/reveal`, {
          purposeId: purpose.id,
          fields: ['idNumber', 'phone', 'studentNumber'],
        }),
      );
      onClose();
    } catch (e) {
      setMessage({ type: 'error', text: problemText(e, t('errorTitle')) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('showSensitive')}
      okText={t('confirm')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onClose}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        {message && <Alert type={message.type} showIcon title={message.text} role="alert" />}
        <Form form={form} layout="vertical">
          <Form.Item label={t('purpose')} name="purpose" rules={[{ required: true, message: t('purpose') }]}>
            <Select
              loading={!catalogue.data}
              options={(catalogue.data?.items ?? []).map((p) => ({ value: p.code, label: p.name }))}
            />
          </Form.Item>
          <Form.Item
            label={t('reason')}
            name="reason"
            extra={t('reasonHint')}
            rules={[{ required: true, min: 2, message: t('reasonHint') }]}
          >
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        </Form>
      </Space>
    </Modal>
  );
}
