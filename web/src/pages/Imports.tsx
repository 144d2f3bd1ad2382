import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Progress, Radio, Space, Table, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { api, problemText, upload } from '../api';
import { useI18n } from '../i18n';

interface ImportJob {
  id: string;
  status: 'validating' | 'validated' | 'applying' | 'applied' | 'failed' | 'cancelled';
  totalRows: number;
  validRows: number;
  invalidRows: number;
  progress: number;
  problemCount: number;
  problems: { row: number; column: string; code: string; message: string }[];
  result: { created: number; updated: number; unchanged: number; skipped: number } | null;
  error: { code: string; message: string } | null;
}

const busy = (s: ImportJob['status']) => s === 'validating' || s === 'applying';

/**
 * Roster import (issue 5, point 5): upload, the API checks every row in the background and lists
 * every problem by row and column; nothing is written until the user confirms.
 */
export function ImportsPage() {
  const { id: schoolId = '' } = useParams();
  const { t } = useI18n();
  const [kind, setKind] = useState<'students' | 'staff'>('students');
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<string | null>(null);

  // While the API works on it, ask again twice a second.
  useEffect(() => {
    if (!job || !busy(job.status)) return;
    const timer = setTimeout(async () => {
      try {
        setJob(await api.get<ImportJob>(`/imports/${job.id}`));
      } catch (e) {
        setError(problemText(e, t('errorTitle')));
      }
    }, 500);
    return () => clearTimeout(timer);
  }, [job, t]);

  const act = async (fn: () => Promise<ImportJob>) => {
    setError(null);
    try {
      setJob(await fn());
    } catch (e) {
      setError(problemText(e, t('errorTitle')));
    }
  };

  return (
    <Card title={t('importTitle')}>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Radio.Group
          aria-label={t('importKind')}
          value={kind}
          onChange={(e) => setKind(e.target.value)}
          options={[
            { value: 'students', label: t('kindStudents') },
            { value: 'staff', label: t('kindStaff') },
          ]}
        />
        <Button href={`/api/v1/imports/templates/${kind}.xlsx`} download>
          {t('template')}
        </Button>
        <Upload
          accept=".xlsx,.csv"
          showUploadList={false}
          customRequest={({ file }) =>
            void act(() => upload<ImportJob>(`/schools/${schoolId}/imports?kind=${kind}`, file as File))
          }
        >
          <Button type="primary" icon={<UploadOutlined />} disabled={job !== null && busy(job.status)}>
            {t('chooseFile')}
          </Button>
        </Upload>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        {job && <JobView job={job} onChange={act} />}
      </Space>
    </Card>
  );
}

function JobView({ job, onChange }: { job: ImportJob; onChange: (fn: () => Promise<ImportJob>) => void }) {
  const { t } = useI18n();
  if (busy(job.status)) {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <span>{job.status === 'validating' ? t('checking') : t('applying')}</span>
        <Progress percent={job.progress} />
      </Space>
    );
  }
  if (job.status === 'failed') {
    return <Alert type="error" showIcon title={t('importFailed', { message: job.error?.message ?? '' })} />;
  }
  if (job.status === 'cancelled') return <Alert type="info" showIcon title={t('cancelled')} />;
  if (job.status === 'applied' && job.result) {
    return <Alert type="success" showIcon title={t('appliedSummary', { ...job.result })} role="status" />;
  }
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Alert
        type={job.invalidRows > 0 ? 'warning' : 'success'}
        showIcon
        role="status"
        title={t('checkedSummary', { total: job.totalRows, valid: job.validRows, invalid: job.invalidRows })}
      />
      {job.problems.length > 0 && (
        <Table
          title={() => t('problems')}
          rowKey={(p) => `${p.row}-${p.column}-${p.code}`}
          size="small"
          pagination={false}
          dataSource={job.problems}
          columns={[
            { title: t('row'), dataIndex: 'row' },
            { title: t('column'), dataIndex: 'column' },
            { title: t('problem'), dataIndex: 'message' },
          ]}
        />
      )}
      <Space wrap>
        <Button
          type="primary"
          disabled={job.validRows === 0}
          onClick={() => onChange(() => api.post<ImportJob>(`/imports/${job.id}/confirm`))}
        >
          {t('confirmImport')}
        </Button>
        <Button onClick={() => onChange(() => api.post<ImportJob>(`/imports/${job.id}/cancel`))}>
          {t('cancelImport')}
        </Button>
      </Space>
    </Space>
  );
}
