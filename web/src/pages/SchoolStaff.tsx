import { Card, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import { LoadError } from '../components/LoadError';
import { useI18n } from '../i18n';
import { useApi } from '../useApi';

interface StaffItem {
  postId: string;
  personId: string;
  name: string;
  idMasked: string | null;
  postName: string | null;
  isFullTimeTeacher: boolean;
  startedOn: string;
}

/** A school's staff in posts now, as the API lists them (masked, paged). */
export function SchoolStaff({ schoolId }: { schoolId: string }) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const pageSize = 20;
  const staff = useApi(
    () =>
      api.get<{ items: StaffItem[]; total: number }>(
        `/schools/${schoolId}/staff?limit=${pageSize}&offset=${(page - 1) * pageSize}`,
      ),
    [schoolId, page],
  );
  if (staff.error) return <LoadError error={staff.error} onRetry={staff.reload} />;
  return (
    <Card title={t('staffList')}>
      <Table<StaffItem>
        rowKey="postId"
        size="small"
        scroll={{ x: true }}
        loading={!staff.data}
        dataSource={staff.data?.items ?? []}
        pagination={{ current: page, pageSize, total: staff.data?.total ?? 0, onChange: setPage }}
        columns={[
          { title: t('childName'), render: (_, s) => <Link to={`/persons/${s.personId}`}>{s.name}</Link> },
          {
            title: t('post'),
            render: (_, s) => (
              <>
                {s.postName ?? ''} {s.isFullTimeTeacher && <Tag color="blue">{t('fullTimeTeachers')}</Tag>}
              </>
            ),
          },
          { title: t('idNumber'), dataIndex: 'idMasked' },
          { title: t('startedOn'), dataIndex: 'startedOn' },
        ]}
      />
    </Card>
  );
}
