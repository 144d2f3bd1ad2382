import { Form, type FormInstance, Input, InputNumber, Select } from 'antd';
import { useEffect } from 'react';
import { academicYearsOf, yearOptions } from '../academic-years';
import { api } from '../api';
import { useI18n } from '../i18n';
import { useApi } from '../useApi';
import type { Unit } from './UnitPanel';

type LocalName = { 'zh-CN': string; en: string };
interface SchoolType {
  id: string;
  name: LocalName;
  grades: { code: string; name: LocalName }[];
}
/**
 * The fields a new unit of each kind needs. Grades come from the school's type (the standard's
 * list); a class names its academic year, current one first. Names are filled in the official
 * form (三年级 / 三年级（2）班) and can be changed.
 */
export function NewUnitFields({
  parent,
  kind,
  form,
}: {
  parent: Unit;
  kind: 'school' | 'campus' | 'grade' | 'class';
  form: FormInstance;
}) {
  const { t, lang } = useI18n();
  const types = useApi(() => api.get<SchoolType[]>('/reference/school-types'), []);
  const schoolId = parent.ancestors.find((a) => a.kind === 'school')?.id;
  const school = useApi(
    async () => (kind === 'grade' && schoolId ? api.get<Unit>(`/org-units/${schoolId}`) : null),
    [kind, schoolId],
  );
  const years = useApi(
    async () => (kind === 'class' ? academicYearsOf(parent.districtId) : []),
    [kind, parent.districtId],
  );
  const currentYear = years.data?.find((y) => y.current)?.id;
  useEffect(() => {
    if (currentYear && !form.getFieldValue('academicYearId'))
      form.setFieldValue('academicYearId', currentYear);
  }, [currentYear, form]);
  const grades = types.data?.find((ty) => ty.id === school.data?.schoolType)?.grades ?? [];
  const gradeNameZh = parent.gradeName?.['zh-CN'] ?? parent.name;
  const required = (label: string) => [{ required: true, message: label }];

  return (
    <>
      {kind === 'school' && (
        <Form.Item label={t('schoolType')} name="schoolType" rules={required(t('schoolType'))}>
          <Select
            loading={!types.data}
            options={(types.data ?? []).map((ty) => ({ value: ty.id, label: ty.name[lang] }))}
          />
        </Form.Item>
      )}
      {kind === 'grade' && (
        <Form.Item label={t('grade')} name="gradeCode" rules={required(t('grade'))}>
          <Select
            loading={!types.data || (!school.data && !school.error)}
            options={grades.map((g) => ({ value: g.code, label: g.name[lang] }))}
            onChange={(code: string) =>
              form.setFieldValue('name', grades.find((g) => g.code === code)?.name['zh-CN'])
            }
          />
        </Form.Item>
      )}
      {kind === 'class' && (
        <>
          <Form.Item label={t('academicYear')} name="academicYearId" rules={required(t('academicYear'))}>
            <Select loading={!years.data} options={yearOptions(years.data ?? [], t('current'))} />
          </Form.Item>
          <Form.Item label={t('classNumber')} name="classNumber" rules={required(t('classNumber'))}>
            <InputNumber
              min={1}
              max={99}
              precision={0}
              onChange={(n) => {
                if (typeof n === 'number') form.setFieldValue('name', `${gradeNameZh}（${n}）班`);
              }}
            />
          </Form.Item>
        </>
      )}
      <Form.Item label={t('name')} name="name" rules={required(t('name'))}>
        <Input />
      </Form.Item>
    </>
  );
}
