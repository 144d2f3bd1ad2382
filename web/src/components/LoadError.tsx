import { Alert, Button, Result } from 'antd';
import { ApiError } from '../api';
import { useI18n } from '../i18n';

/** An API error where the page would be: 404 as "not found" (out of scope looks the same), others with retry. */
export function LoadError({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const { t } = useI18n();
  if (error instanceof ApiError && (error.status === 404 || error.status === 403)) {
    return <Result status={error.status === 404 ? '404' : '403'} title={error.problem.title} />;
  }
  return (
    <Alert
      type="error"
      showIcon
      title={error instanceof ApiError ? error.problem.title : t('errorTitle')}
      action={<Button onClick={onRetry}>{t('retry')}</Button>}
    />
  );
}
