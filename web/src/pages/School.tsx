import { Card, Descriptions, Empty, Select, Space, Spin, Table } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { academicYearsOf, yearOptions } from '../academic-years';
import { api } from '../api';
import { LoadError } from '../components/LoadError';
import { useI18n } from '../i18n';
import { useCan } from '../session';
import { useApi } from '../useApi';
import { childrenOf, type OrgUnit } from './Org';
import { SchoolStaff } from './SchoolStaff';

/** A school: what it is, how many students, and its classes (campus → grade → class). */
export function SchoolPage() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const keepsRosters = useCan('roster.import');
  const [yearChosen, setYear] = useState<string | null>(null);
  const school = useApi(async () => {
    const unit = await api.get<OrgUnit & { districtId: string }>(`/org-units/${id}`);
    const years = await academicYearsOf(unit.districtId);
    const campuses = await childrenOf(id);
    const grades = (await Promise.all(campuses.map((c) => childrenOf(c.id)))).flat();
    const classes = (
      await Promise.all(grades.map(async (g) => (await childrenOf(g.id)).map((c) => ({ ...c, grade: g }))))
    ).flat();
    return { unit, classes, years };
  }, [id]);

  if (school.error) return <LoadError error={school.error} onRetry={school.reload} />;
  if (!school.data) return <Spin />;
  const { unit, classes, years } = school.data;
  // Earlier years' classes stay in the tree as history; the page shows one year, the current by default.
  const hasClasses = (y: { id: string }) => classes.some((c) => c.academicYearId === y.id);
  const year =
    yearChosen ??
    (years.find((y) => y.current && hasClasses(y)) ?? years.find((y) => y.current) ?? years[0])?.id ??
    null;
  const shown = classes.filter((c) => c.academicYearId === null || c.academicYearId === year);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={lang === 'en' && unit.nameEn ? unit.nameEn : unit.name}
        extra={keepsRosters && <Link to={`/schools/${id}/imports`}>{t('importTitle')}</Link>}
      >
        <Descriptions
          column={{ xs: 1, md: 2 }}
          items={[
            { key: 'code', label: t('schoolCode'), children: unit.schoolCode ?? '—' },
            { key: 'type', label: t('schoolType'), children: unit.schoolTypeName?.[lang] ?? '—' },
            { key: 'division', label: t('division'), children: unit.divisionName ?? '—' },
            { key: 'address', label: t('address'), children: unit.address ?? '—' },
          ]}
        />
      </Card>
      <Card
        title={t('classes')}
        extra={
          years.length > 0 && (
            <Select
              aria-label={t('academicYear')}
              value={year}
              onChange={setYear}
              style={{ minWidth: 180 }}
              options={yearOptions(years, t('current'))}
            />
          )
        }
      >
        <Table
          rowKey="id"
          pagination={false}
          dataSource={shown}
          locale={{ emptyText: <Empty description={t('noClasses')} /> }}
          columns={[
            { title: t('grade'), render: (_, c) => c.grade.gradeName?.[lang] ?? c.grade.name },
            { title: t('classes'), render: (_, c) => <Link to={`/classes/${c.id}`}>{c.name}</Link> },
          ]}
        />
      </Card>
      <SchoolStaff schoolId={id} />
    </Space>
  );
}
