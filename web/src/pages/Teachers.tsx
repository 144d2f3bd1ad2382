import { Card, Descriptions, Empty } from 'antd';
import { api } from '../api';
import { LoadError } from '../components/LoadError';
import { useI18n } from '../i18n';
import { useApi } from '../useApi';

interface PersonTeachers {
  school: { id: string; name: string } | null;
  class: { id: string; name: string } | null;
  headTeacher: { name: string } | null;
  teachers: { name: string; subjectCode: string; subjectName: string | null }[];
}

/** A student's school, class and teachers now: what a guardian or the student is told (names and subjects). */
export function Teachers({ personId }: { personId: string }) {
  const { t } = useI18n();
  const found = useApi(() => api.get<PersonTeachers>(`/persons/${personId}/teachers`), [personId]);
  if (found.error) return <LoadError error={found.error} onRetry={found.reload} />;
  const d = found.data;
  return (
    <Card title={t('teachers')} size="small" loading={!d}>
      {d && !d.class ? (
        <Empty description={t('noClass')} />
      ) : (
        <Descriptions
          column={{ xs: 1, md: 2 }}
          items={[
            { key: 'school', label: t('school'), children: d?.school?.name ?? '—' },
            { key: 'class', label: t('className'), children: d?.class?.name ?? '—' },
            { key: 'head', label: t('headTeacher'), children: d?.headTeacher?.name ?? '—' },
            ...(d?.teachers ?? []).map((x) => ({
              key: `${x.subjectCode}-${x.name}`,
              label: x.subjectName ?? x.subjectCode,
              children: x.name,
            })),
          ]}
        />
      )}
    </Card>
  );
}
