import { Card, Col, Row, Select, Space, Spin, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import { Chart } from '../components/Chart';
import { LoadError } from '../components/LoadError';
import { type MessageKey, useI18n } from '../i18n';
import { useApi } from '../useApi';

interface Overview {
  schoolsByType: { schoolType: string; name: string; count: number }[];
  studentsByStage: { stage: string; count: number }[];
  studentsByGrade: { gradeCode: string; name: string; count: number }[];
  totals: { schools: number; students: number; staff: number; fullTimeTeachers: number; classes: number };
  schools: {
    id: string;
    name: string;
    students: number;
    staff: number;
    fullTimeTeachers: number;
    studentTeacherRatio: number | null;
    staffRequired: number | null;
    classes: number;
    largeClasses: number;
  }[];
  classSizes: { band: string; count: number }[];
  largeClasses: { classId: string; name: string; schoolId: string; students: number; oversize: boolean }[];
  standards: { studentsPerStaff: Record<string, number | null>; largeClassSize: number };
}

/** A chart with its numbers beside it (the chart for the eye, the table for everyone). */
function ChartCard({
  title,
  rows,
  kind,
}: {
  title: string;
  rows: { name: string; count: number }[];
  kind: 'bar' | 'pie';
}) {
  const { t } = useI18n();
  const option = useMemo(
    () =>
      kind === 'pie'
        ? {
            tooltip: {},
            series: [
              { type: 'pie', radius: '65%', data: rows.map((r) => ({ name: r.name, value: r.count })) },
            ],
          }
        : {
            tooltip: {},
            grid: { left: 48, right: 16, top: 16, bottom: 48 },
            xAxis: {
              type: 'category',
              data: rows.map((r) => r.name),
              axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 },
            },
            yAxis: { type: 'value' },
            series: [{ type: 'bar', data: rows.map((r) => r.count), itemStyle: { color: '#1d4ed8' } }],
          },
    [rows, kind],
  );
  const summary = `${title}: ${rows.map((r) => `${r.name} ${r.count}`).join(', ')}`;
  return (
    <Card title={title} size="small">
      <Row gutter={16}>
        <Col xs={24} md={14}>
          <Chart option={option} label={summary} />
        </Col>
        <Col xs={24} md={10}>
          <Table
            size="small"
            pagination={false}
            rowKey="name"
            dataSource={rows}
            columns={[
              { title: title, dataIndex: 'name' },
              { title: t('count'), dataIndex: 'count', align: 'right' },
            ]}
          />
        </Col>
      </Row>
    </Card>
  );
}

/** The district overview for bureau staff: GET /districts/:id/overview, charts with their numbers. */
export function OverviewPage() {
  const { t } = useI18n();
  const districts = useApi(() => api.get<{ id: string; name: string }[]>('/districts'), []);
  const [chosen, setChosen] = useState<string | null>(null);
  const districtId = chosen ?? districts.data?.[0]?.id ?? null;
  const overview = useApi(
    () => (districtId ? api.get<Overview>(`/districts/${districtId}/overview`) : Promise.resolve(null)),
    [districtId],
  );

  if (districts.error) return <LoadError error={districts.error} onRetry={districts.reload} />;
  if (overview.error) return <LoadError error={overview.error} onRetry={overview.reload} />;
  const o = overview.data;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {(districts.data?.length ?? 0) > 1 && (
        <Select
          aria-label={t('district')}
          style={{ minWidth: 240 }}
          value={districtId}
          onChange={setChosen}
          options={(districts.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
        />
      )}
      {!o ? (
        <Spin />
      ) : (
        <>
          <Typography.Paragraph>{t('totalsLine', o.totals)}</Typography.Paragraph>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={12}>
              <ChartCard title={t('schoolsByType')} kind="pie" rows={o.schoolsByType} />
            </Col>
            <Col xs={24} xl={12}>
              <ChartCard
                title={t('studentsByStage')}
                kind="pie"
                rows={o.studentsByStage.map((s) => ({
                  name: t(`stage_${s.stage}` as MessageKey),
                  count: s.count,
                }))}
              />
            </Col>
            <Col xs={24} xl={12}>
              <ChartCard title={t('studentsByGrade')} kind="bar" rows={o.studentsByGrade} />
            </Col>
            <Col xs={24} xl={12}>
              <ChartCard
                title={t('classSizesTitle')}
                kind="bar"
                rows={o.classSizes.map((c) => ({ name: c.band, count: c.count }))}
              />
            </Col>
          </Row>
          <Card title={t('staffing')} size="small">
            <Typography.Paragraph type="secondary">
              {t('standardNote', {
                primary: o.standards.studentsPerStaff.primary ?? '—',
                junior: o.standards.studentsPerStaff.junior ?? '—',
                senior: o.standards.studentsPerStaff.senior ?? '—',
                preschool: o.standards.studentsPerStaff.preschool ?? '—',
              })}
            </Typography.Paragraph>
            <Table
              size="small"
              rowKey="id"
              scroll={{ x: true }}
              pagination={{ pageSize: 20 }}
              dataSource={o.schools}
              columns={[
                { title: t('school'), render: (_, s) => <Link to={`/schools/${s.id}`}>{s.name}</Link> },
                {
                  title: t('students'),
                  dataIndex: 'students',
                  align: 'right',
                  sorter: (a, b) => a.students - b.students,
                },
                { title: t('fullTimeTeachers'), dataIndex: 'fullTimeTeachers', align: 'right' },
                {
                  title: t('studentTeacherRatio'),
                  align: 'right',
                  sorter: (a, b) => (a.studentTeacherRatio ?? 0) - (b.studentTeacherRatio ?? 0),
                  render: (_, s) => (s.studentTeacherRatio === null ? '—' : `${s.studentTeacherRatio}:1`),
                },
                { title: t('staffCount'), dataIndex: 'staff', align: 'right' },
                { title: t('staffRequired'), align: 'right', render: (_, s) => s.staffRequired ?? '—' },
                {
                  title: t('shortfall'),
                  align: 'right',
                  render: (_, s) =>
                    s.staffRequired !== null && s.staffRequired > s.staff ? (
                      <Tag color="#b91c1c">{s.staffRequired - s.staff}</Tag>
                    ) : (
                      '—'
                    ),
                },
                {
                  title: t('largeClasses'),
                  align: 'right',
                  render: (_, s) => (s.largeClasses > 0 ? <Tag color="#9a3412">{s.largeClasses}</Tag> : 0),
                },
              ]}
            />
          </Card>
          {o.largeClasses.length > 0 && (
            <Card title={t('largeClassesTitle', { n: o.standards.largeClassSize })} size="small">
              <Table
                size="small"
                rowKey="classId"
                pagination={false}
                dataSource={o.largeClasses}
                columns={[
                  {
                    title: t('className'),
                    render: (_, c) => <Link to={`/classes/${c.classId}`}>{c.name}</Link>,
                  },
                  {
                    title: t('school'),
                    render: (_, c) => o.schools.find((s) => s.id === c.schoolId)?.name ?? '',
                  },
                  { title: t('students'), dataIndex: 'students', align: 'right' },
                  {
                    title: '',
                    render: (_, c) => (c.oversize ? <Tag color="#b91c1c">{t('oversize')}</Tag> : null),
                  },
                ]}
              />
            </Card>
          )}
        </>
      )}
    </Space>
  );
}
