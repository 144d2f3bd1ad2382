import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { type ReactNode, useState } from 'react';
import { problemText } from '../api';
import { useI18n } from '../i18n';
import { useSession } from '../session';

/** Sign-in: the API's own message on failure (wrong password, locked account), in the chosen language. */
export function SignInPage({ expired, languageSwitch }: { expired: boolean; languageSwitch: ReactNode }) {
  const { t } = useI18n();
  const { signIn } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (values: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(values.username, values.password);
    } catch (e) {
      setError(problemText(e, t('errorTitle')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main
      style={{
        display: 'grid',
        placeItems: 'center',
        minHeight: '100vh',
        background: '#f1f5f9',
        padding: 16,
      }}
    >
      <Card style={{ width: '100%', maxWidth: 400 }}>
        <div style={{ display: 'flex', justifyContent: 'flex-end' }}>{languageSwitch}</div>
        <Typography.Title level={1} style={{ fontSize: 24 }}>
          {t('signInTitle')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('signInHint')}</Typography.Paragraph>
        {expired && (
          <Alert type="warning" showIcon title={t('sessionExpired')} style={{ marginBottom: 16 }} />
        )}
        {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item
            label={t('username')}
            name="username"
            rules={[{ required: true, message: t('username') }]}
          >
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item
            label={t('password')}
            name="password"
            rules={[{ required: true, message: t('password') }]}
          >
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {busy ? t('signingIn') : t('signIn')}
          </Button>
        </Form>
      </Card>
    </main>
  );
}
